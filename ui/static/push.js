// push.js: the Preferences page's "Push to this device" card. It says why
// push cannot work where it cannot (no secure context, iOS outside the home
// screen, no Push API), subscribes this browser with the server's VAPID
// key, and lists the user's devices with a test push and a remove button.
(function () {
  "use strict";
  const card = document.getElementById("push-card");
  if (!card) return;
  const status = document.getElementById("push-status");
  const enable = document.getElementById("push-enable");
  const list = document.getElementById("push-devices");
  const say = (text) => { status.textContent = text; };

  async function api(method, path, body) {
    const r = await fetch(path, {method, credentials: "same-origin",
      headers: body ? {"Content-Type": "application/json"} : {}, body: body ? JSON.stringify(body) : undefined});
    if (!r.ok && r.status !== 204) {
      let msg = r.status + "";
      try { msg = (await r.json()).error.message; } catch (e) { /* keep the status */ }
      throw new Error(msg);
    }
    return r.status === 204 ? null : r.json();
  }

  // why returns the reason this browser cannot get pushes, or "".
  function why() {
    const ios = /iPhone|iPad|iPod/.test(navigator.userAgent);
    const standalone = window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
    if (!window.isSecureContext) {
      return "Notifications need a secure page: open Belfry over https:// (or on localhost). Plain http on a LAN address (" +
        location.host + ") cannot receive pushes.";
    }
    if (ios && !standalone) {
      return "On iPhone and iPad, add Belfry to the home screen first (Share → Add to Home Screen), then open it from there and enable notifications.";
    }
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
      return "This browser does not support Web Push.";
    }
    if (Notification.permission === "denied") {
      return "Notifications are blocked for this site: allow them in the browser's site settings.";
    }
    return "";
  }

  function keyBytes(b64) {
    const s = atob(b64.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(s, (c) => c.charCodeAt(0));
  }

  async function refresh() {
    const res = await api("GET", "/api/push/subscriptions");
    list.replaceChildren();
    if (res.subscriptions.length === 0) {
      const li = document.createElement("li");
      li.textContent = "No device gets pushes yet.";
      list.append(li);
    }
    for (const d of res.subscriptions) {
      const li = document.createElement("li");
      li.dataset.device = d.id;
      const name = document.createElement("strong");
      name.textContent = d.name || "Device";
      const seen = document.createElement("span");
      seen.className = "pdesc";
      seen.textContent = d.last_success_at ? " · last push " + new Date(d.last_success_at).toLocaleString() :
        (d.last_error ? " · " + d.last_error : " · no push yet");
      const test = document.createElement("button");
      test.type = "button"; test.className = "btn"; test.textContent = "Send test push";
      test.addEventListener("click", () => api("POST", "/api/push/subscriptions/" + d.id + "/test")
        .then(() => say("Test push sent to " + (d.name || "the device") + "."), (e) => say(e.message)));
      const remove = document.createElement("button");
      remove.type = "button"; remove.className = "btn danger"; remove.textContent = "Remove";
      remove.setAttribute("aria-label", "Remove " + (d.name || "device"));
      remove.addEventListener("click", () => api("DELETE", "/api/push/subscriptions/" + d.id).then(refresh, (e) => say(e.message)));
      li.append(name, seen, " ", test, " ", remove);
      list.append(li);
    }
  }

  async function subscribe() {
    const {public_key: key} = await api("GET", "/api/push/public-key");
    if (await Notification.requestPermission() !== "granted") {
      say("Notifications were not allowed.");
      return;
    }
    const reg = await navigator.serviceWorker.ready;
    let sub = await reg.pushManager.getSubscription();
    if (!sub) sub = await reg.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: keyBytes(key)});
    await api("POST", "/api/push/subscriptions", sub.toJSON());
    say("This device gets notifications.");
    enable.hidden = true;
    await refresh();
  }

  const reason = why();
  if (reason) {
    say(reason);
  } else {
    say("Get notifications on this device even when Belfry is closed.");
    enable.hidden = false;
    enable.addEventListener("click", () => subscribe().catch((e) => say("Could not enable notifications: " + e.message)));
  }
  refresh().catch((e) => say(e.message));
})();
