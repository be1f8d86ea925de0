// The app runs in the browser only: its data lives in IndexedDB and syncs from there.
export const ssr = false;
export const prerender = false;
