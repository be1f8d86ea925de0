/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
// Makes the app open with no network after one visit. The build (hashed,
// immutable files) and the app shell are cached at install; everything else
// of this origin is network-first with the cache as fallback, so an online
// visit always gets the newest app. Requests to the API (another origin:
// auth and sync) are never touched — the sync engine owns them.
import { build, files, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `packsync-${version}`;
// '/' is the single-page shell every route renders from (adapter-static fallback).
const SHELL = '/';
const PRECACHE = [SHELL, ...build, ...files];
const IMMUTABLE = new Set(build);

sw.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => sw.skipWaiting()),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => sw.clients.claim()),
  );
});

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;
  event.respondWith(respond(request, url));
});

async function respond(request: Request, url: URL): Promise<Response> {
  const cache = await caches.open(CACHE);
  if (IMMUTABLE.has(url.pathname)) {
    const hit = await cache.match(url.pathname);
    if (hit) return hit;
  }
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const hit = (await cache.match(request)) ?? (request.mode === 'navigate' ? await cache.match(SHELL) : undefined);
    if (hit) return hit;
    throw error;
  }
}
