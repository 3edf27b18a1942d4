// passkey.js: the WebAuthn ceremonies of authd's pages. No framework and no inline code.
//
// Each passkey button carries its endpoints: data-begin, data-finish, data-state (the
// auth request id, if any) and data-ceremony ("login", "mfa" or "register"). The CSRF
// token comes from <meta name="csrf-token"> and travels in the X-CSRF-Token header.
//
//   begin:  POST data-begin  {"state": …}          → {"publicKey": {…}} (go-webauthn JSON)
//   finish: POST data-finish {credential…, "state"} → {"redirect": url}  (or nothing: reload)
//
// Errors go to the page's role="alert" element.
"use strict";

(() => {
  const GENERIC = "Something went wrong with your passkey. Please try again.";

  // --- base64url ---------------------------------------------------------------------
  const fromB64u = (s) => {
    const b64 = s.replace(/-/g, "+").replace(/_/g, "/");
    const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  };
  const toB64u = (buf) => {
    const bytes = new Uint8Array(buf);
    let bin = "";
    for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };
  const decodeIds = (list) =>
    (list || []).map((c) => Object.assign({}, c, { id: fromB64u(c.id) }));

  // --- options in (go-webauthn JSON → WebAuthn API) -----------------------------------
  const requestOptions = (pk) => {
    const o = Object.assign({}, pk, { challenge: fromB64u(pk.challenge) });
    if (pk.allowCredentials) o.allowCredentials = decodeIds(pk.allowCredentials);
    return o;
  };
  const creationOptions = (pk) => {
    const o = Object.assign({}, pk, {
      challenge: fromB64u(pk.challenge),
      user: Object.assign({}, pk.user, { id: fromB64u(pk.user.id) }),
    });
    if (pk.excludeCredentials) o.excludeCredentials = decodeIds(pk.excludeCredentials);
    return o;
  };

  // --- credentials out (WebAuthn API → JSON go-webauthn parses) -----------------------
  const common = (cred) => ({
    id: cred.id,
    rawId: toB64u(cred.rawId),
    type: cred.type,
    authenticatorAttachment: cred.authenticatorAttachment || undefined,
    clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
  });
  const assertionJSON = (cred) => Object.assign(common(cred), {
    response: {
      clientDataJSON: toB64u(cred.response.clientDataJSON),
      authenticatorData: toB64u(cred.response.authenticatorData),
      signature: toB64u(cred.response.signature),
      userHandle: cred.response.userHandle ? toB64u(cred.response.userHandle) : null,
    },
  });
  const attestationJSON = (cred) => Object.assign(common(cred), {
    response: {
      clientDataJSON: toB64u(cred.response.clientDataJSON),
      attestationObject: toB64u(cred.response.attestationObject),
      transports: cred.response.getTransports ? cred.response.getTransports() : [],
    },
  });

  // --- page plumbing ------------------------------------------------------------------
  class ServerError extends Error {}

  const csrf = () => {
    const m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : "";
  };

  const post = async (url, body) => {
    let res;
    try {
      res = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf() },
        body: JSON.stringify(body),
      });
    } catch {
      throw new ServerError("Could not reach the server. Check your connection and try again.");
    }
    let data = null;
    try { data = await res.json(); } catch { /* empty or not JSON */ }
    if (!res.ok) {
      const msg = data && (data.error_description || data.message || (typeof data.error === "string" && data.error));
      throw new ServerError(msg || GENERIC);
    }
    return data || {};
  };

  const showError = (msg) => {
    const box = document.querySelector('[role="alert"]');
    if (!box) return;
    box.textContent = msg;
    box.hidden = false;
  };
  const clearError = () => {
    const box = document.querySelector('[role="alert"]');
    if (box) { box.textContent = ""; box.hidden = true; }
  };

  const explain = (err) => {
    if (err instanceof ServerError) return err.message;
    switch (err && err.name) {
      case "NotAllowedError": return "The passkey request was cancelled or timed out.";
      case "InvalidStateError": return "This device already has a passkey for your account.";
      case "SecurityError": return "Passkeys are not available on this address.";
      case "NotSupportedError": return "This device cannot create a passkey of the required kind.";
      default: return GENERIC;
    }
  };

  const follow = (res) => {
    if (res && typeof res.redirect === "string" && res.redirect) location.assign(res.redirect);
    else location.reload();
  };

  // --- ceremonies ---------------------------------------------------------------------
  const authenticate = async (btn, mediation, signal) => {
    const state = btn.dataset.state || "";
    const opts = await post(btn.dataset.begin, { state });
    const publicKey = requestOptions(opts.publicKey || opts);
    const req = { publicKey };
    if (mediation) req.mediation = mediation;
    if (signal) req.signal = signal;
    const cred = await navigator.credentials.get(req);
    if (!cred) throw new Error("no credential");
    try {
      follow(await post(btn.dataset.finish, Object.assign(assertionJSON(cred), { state })));
    } catch (err) {
      err.afterPrompt = true; // the person picked a passkey: always tell them why it failed
      throw err;
    }
  };

  const register = async (btn) => {
    const state = btn.dataset.state || "";
    const opts = await post(btn.dataset.begin, { state });
    const publicKey = creationOptions(opts.publicKey || opts);
    const cred = await navigator.credentials.create({ publicKey });
    if (!cred) throw new Error("no credential");
    follow(await post(btn.dataset.finish, Object.assign(attestationJSON(cred), { state })));
  };

  // busy runs one modal ceremony from a button, showing progress and errors.
  const busy = async (btn, run) => {
    if (btn.getAttribute("aria-busy") === "true") return;
    clearError();
    btn.setAttribute("aria-busy", "true");
    btn.disabled = true;
    try {
      await run();
    } catch (err) {
      showError(explain(err));
    } finally {
      btn.removeAttribute("aria-busy");
      btn.disabled = false;
    }
  };

  const buttons = document.querySelectorAll("button[data-ceremony][data-begin][data-finish]");
  if (!window.PublicKeyCredential || !navigator.credentials) {
    // Without WebAuthn the buttons could only fail; the password form still works.
    buttons.forEach((b) => { b.hidden = true; });
    return;
  }

  // Conditional UI (passkey autofill in the email field) runs in the background on the
  // login page; using the button aborts it so only one get() is pending at a time.
  let autofill = null;
  const loginBtn = document.getElementById("passkey-login");
  const startAutofill = async () => {
    if (!loginBtn || !PublicKeyCredential.isConditionalMediationAvailable) return;
    try {
      if (!(await PublicKeyCredential.isConditionalMediationAvailable())) return;
    } catch { return; }
    autofill = new AbortController();
    const { signal } = autofill;
    try {
      await authenticate(loginBtn, "conditional", signal);
    } catch (err) {
      // Aborts, cancelled prompts and a failed background begin are normal here; report
      // only a failure after the person chose a passkey from the autofill list.
      if (!signal.aborted && err.afterPrompt) showError(explain(err));
    }
  };

  buttons.forEach((btn) => {
    btn.addEventListener("click", () => {
      switch (btn.dataset.ceremony) {
        case "register":
          busy(btn, () => register(btn));
          break;
        case "login":
        case "mfa":
          if (autofill) { autofill.abort(); autofill = null; }
          busy(btn, () => authenticate(btn));
          break;
      }
    });
  });

  startAutofill();
})();
