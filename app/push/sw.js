// Belfry's service worker, at the root scope: it shows pushes, closes them
// when a "clear" push says the notification was read elsewhere, handles a
// click (mark read, focus an open Belfry tab or open the target) and the
// "Mark read" action, and shows the offline page when a navigation fails.
"use strict";
const CACHE = "belfry-offline-v1";
const OFFLINE = "/offline";

self.addEventListener("install", (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.add(OFFLINE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (e) => { e.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", (e) => {
  if (e.request.mode !== "navigate") return;
  e.respondWith(fetch(e.request).catch(() => caches.match(OFFLINE)));
});

self.addEventListener("push", (e) => {
  let m = null;
  try { m = e.data ? e.data.json() : null; } catch (err) { m = null; }
  if (!m) return;
  e.waitUntil(show(m));
});

async function show(m) {
  if (typeof m.badge === "number" && self.navigator.setAppBadge) {
    self.navigator.setAppBadge(m.badge).catch(() => {});
  }
  if (m.kind === "clear") {
    const open = await self.registration.getNotifications(m.tag ? {tag: m.tag} : {});
    open.forEach((n) => n.close());
    return;
  }
  if (m.kind === "summary") { // the summary stands for every notification shown before it
    (await self.registration.getNotifications()).forEach((n) => n.close());
  }
  await self.registration.showNotification(m.title || "Belfry", {
    body: m.body || "", tag: m.tag, renotify: !!(m.renotify && m.tag), icon: m.icon, badge: "/push/icons/badge.png", data: m,
    actions: m.id ? [{action: "read", title: "Mark read"}] : [],
  });
}

// markRead marks the notification m names read (the inbox then sends the
// clear push to the user's other devices).
function markRead(m) {
  if (!m.id) return Promise.resolve();
  return fetch("/api/notifications/" + encodeURIComponent(m.id) + "/read", {method: "PATCH", credentials: "same-origin"}).catch(() => {});
}

async function focusOrOpen(url) {
  const target = new URL(url, self.location.origin);
  const tabs = await self.clients.matchAll({type: "window", includeUncontrolled: true});
  for (const tab of tabs) {
    if (new URL(tab.url).origin === self.location.origin && "focus" in tab) {
      const focused = await tab.focus();
      if (target.origin === self.location.origin && focused.navigate) return focused.navigate(target.href);
      return focused;
    }
  }
  return self.clients.openWindow(target.href);
}

self.addEventListener("notificationclick", (e) => {
  const m = e.notification.data || {};
  e.notification.close();
  if (e.action === "read") {
    e.waitUntil(markRead(m));
    return;
  }
  e.waitUntil(Promise.all([markRead(m), focusOrOpen(m.url || "/notifications")]));
});
