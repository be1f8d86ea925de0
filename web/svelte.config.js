import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** An offline-first single-page app: every route renders in the browser. */
export default {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ fallback: 'index.html' }),
    // The one shell page serves every route (the fallback, and the service
    // worker's offline answer for any navigation), so its asset URLs must be
    // absolute: relative ones would resolve against /trips/… and miss.
    paths: { relative: false },
  },
};
