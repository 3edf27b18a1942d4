// url.js: the subset of WHATWG URL and URLSearchParams that Actions use
// (absolute http(s) URLs, query manipulation). Parsing of the URL itself is
// done by Go (parseURL), which returns normalized components or throws
// TypeError('Invalid URL').
(function (parseURL) {
  'use strict';
  const state = new WeakMap();

  const encode = (s) => encodeURIComponent(s)
    .replace(/%20/g, '+')
    .replace(/[!'()~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  const decode = (s) => {
    s = s.replace(/\+/g, ' ');
    try { return decodeURIComponent(s); } catch (e) { return s; }
  };
  const parseQuery = (q) => {
    const list = [];
    if (q.startsWith('?')) q = q.slice(1);
    for (const part of q.split('&')) {
      if (part === '') continue;
      const i = part.indexOf('=');
      list.push(i < 0 ? [decode(part), ''] : [decode(part.slice(0, i)), decode(part.slice(i + 1))]);
    }
    return list;
  };

  class URLSearchParams {
    constructor(init = '') {
      let list = [];
      if (init instanceof URLSearchParams) {
        list = state.get(init).list.map(([k, v]) => [k, v]);
      } else if (init !== null && typeof init === 'object') {
        if (typeof init[Symbol.iterator] === 'function') {
          for (const pair of init) {
            const p = Array.from(pair);
            if (p.length !== 2) throw new TypeError('Each query pair must be an iterable [name, value] tuple');
            list.push([String(p[0]), String(p[1])]);
          }
        } else {
          for (const k of Object.keys(init)) list.push([k, String(init[k])]);
        }
      } else {
        list = parseQuery(String(init));
      }
      state.set(this, { list, url: null });
    }
    get size() { return state.get(this).list.length; }
    append(name, value) { const s = state.get(this); s.list.push([String(name), String(value)]); update(s); }
    delete(name, value) {
      const s = state.get(this);
      name = String(name);
      s.list = s.list.filter(([k, v]) => !(k === name && (value === undefined || v === String(value))));
      update(s);
    }
    get(name) { const e = state.get(this).list.find(([k]) => k === String(name)); return e ? e[1] : null; }
    getAll(name) { return state.get(this).list.filter(([k]) => k === String(name)).map(([, v]) => v); }
    has(name, value) {
      name = String(name);
      return state.get(this).list.some(([k, v]) => k === name && (value === undefined || v === String(value)));
    }
    set(name, value) {
      const s = state.get(this);
      name = String(name);
      const i = s.list.findIndex(([k]) => k === name);
      if (i < 0) s.list.push([name, String(value)]);
      else {
        s.list[i] = [name, String(value)];
        s.list = s.list.filter(([k], j) => j <= i || k !== name);
      }
      update(s);
    }
    sort() {
      const s = state.get(this);
      s.list = s.list.map((e, i) => [e, i]).sort((a, b) => (a[0][0] < b[0][0] ? -1 : a[0][0] > b[0][0] ? 1 : a[1] - b[1])).map(([e]) => e);
      update(s);
    }
    forEach(fn, thisArg) { for (const [k, v] of state.get(this).list) fn.call(thisArg, v, k, this); }
    keys() { return state.get(this).list.map(([k]) => k)[Symbol.iterator](); }
    values() { return state.get(this).list.map(([, v]) => v)[Symbol.iterator](); }
    entries() { return state.get(this).list.map(([k, v]) => [k, v])[Symbol.iterator](); }
    [Symbol.iterator]() { return this.entries(); }
    toString() { return state.get(this).list.map(([k, v]) => encode(k) + '=' + encode(v)).join('&'); }
    get [Symbol.toStringTag]() { return 'URLSearchParams'; }
  }

  // update writes a URL's searchParams back into its query.
  const update = (s) => {
    if (!s.url) return;
    const q = URLSearchParams.prototype.toString.call(s.self);
    state.get(s.url).c.search = q === '' ? '' : '?' + q;
  };

  const href = (c) => {
    const auth = c.username || c.password ? c.username + (c.password ? ':' + c.password : '') + '@' : '';
    const host = c.hostname + (c.port ? ':' + c.port : '');
    return c.protocol + (c.special || c.hostname ? '//' + auth + host : '') + c.pathname + c.search + c.hash;
  };

  class URL {
    constructor(url, base) {
      const c = parseURL(String(url), base === undefined ? undefined : String(base));
      const params = new URLSearchParams(c.search);
      const ps = state.get(params);
      ps.url = this;
      ps.self = params;
      state.set(this, { c, params });
    }
    static canParse(url, base) { try { new URL(url, base); return true; } catch (e) { return false; } }
    get href() { return href(state.get(this).c); }
    set href(v) {
      const s = state.get(this);
      s.c = parseURL(String(v));
      state.get(s.params).list = parseQuery(s.c.search);
    }
    get origin() { const c = state.get(this).c; return c.special ? c.protocol + '//' + this.host : 'null'; }
    get protocol() { return state.get(this).c.protocol; }
    set protocol(v) { this.href = String(v).replace(/:?$/, ':') + href(state.get(this).c).slice(this.protocol.length); }
    get username() { return state.get(this).c.username; }
    set username(v) { state.get(this).c.username = encodeURIComponent(String(v)); }
    get password() { return state.get(this).c.password; }
    set password(v) { state.get(this).c.password = encodeURIComponent(String(v)); }
    get host() { const c = state.get(this).c; return c.hostname + (c.port ? ':' + c.port : ''); }
    set host(v) {
      const c = state.get(this).c;
      const p = parseURL(c.protocol + '//' + String(v));
      c.hostname = p.hostname;
      c.port = p.port;
    }
    get hostname() { return state.get(this).c.hostname; }
    set hostname(v) { state.get(this).c.hostname = parseURL(this.protocol + '//' + String(v)).hostname; }
    get port() { return state.get(this).c.port; }
    set port(v) {
      const c = state.get(this).c;
      c.port = v === '' ? '' : parseURL(c.protocol + '//' + c.hostname + ':' + String(v)).port;
    }
    get pathname() { return state.get(this).c.pathname; }
    set pathname(v) {
      v = String(v);
      state.get(this).c.pathname = parseURL(this.protocol + '//h' + (v.startsWith('/') ? '' : '/') + v).pathname;
    }
    get search() { const s = state.get(this).c.search; return s === '?' ? '' : s; }
    set search(v) {
      const s = state.get(this);
      v = String(v);
      const q = parseURL('http://h/?' + (v.startsWith('?') ? v.slice(1) : v)).search;
      s.c.search = v === '' ? '' : q;
      state.get(s.params).list = parseQuery(s.c.search);
    }
    get searchParams() { return state.get(this).params; }
    get hash() { const h = state.get(this).c.hash; return h === '#' ? '' : h; }
    set hash(v) {
      v = String(v);
      state.get(this).c.hash = v === '' ? '' : parseURL('http://h/#' + (v.startsWith('#') ? v.slice(1) : v)).hash;
    }
    toString() { return this.href; }
    toJSON() { return this.href; }
    get [Symbol.toStringTag]() { return 'URL'; }
  }
  return { URL, URLSearchParams };
})
