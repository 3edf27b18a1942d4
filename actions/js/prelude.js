// prelude.js runs in every fresh action runtime before the action module.
// It (1) guards the built-ins that can allocate without bound inside one
// native call, where Runtime.Interrupt cannot reach (security checklist D.44),
// (2) makes Date behave as if the process ran in UTC (spec §2 Timezone), and
// (3) returns provide(name), which builds the lazily-guarded globals (typed
// arrays, Date, URL, TextEncoder) the first time a script reads one, so
// executions that do not use them do not pay for them.
//
// It runs while goja's own global object (orig) is still current, so the bare
// names below are the original built-ins; global is the sandbox's global
// object (globals.go), which replaces orig before any action code runs. orig
// never reaches a script: it is only read here, inside closures.
(function (global, orig, maxChars, maxLength, maxBytes, apply, construct) {
  'use strict';
  const defineProperty = Object.defineProperty;
  // apply(fn, this, args) and construct(Ctor, args, newTarget) are Go
  // helpers: Reflect is both costly to initialize in goja and replaceable by
  // the script, and a guard must never call script-controlled code.
  const getOwnPropertyNames = Object.getOwnPropertyNames;
  const getOwnPropertySymbols = Object.getOwnPropertySymbols;
  const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const getPrototypeOf = Object.getPrototypeOf;
  const setPrototypeOf = Object.setPrototypeOf;
  const RangeErr = RangeError;
  const TypeErr = TypeError;
  const Obj = Object;
  // the original String: a script's own would make join count one string
  // and hand the native join an object whose toString returns another
  const Str = String;
  const isArray = Array.isArray;
  // toLen never calls script code twice: callers convert once with unary +
  // and hand the converted primitive to the native call (no TOCTOU).
  const toLen = (n) => (n > 0 ? (n === Infinity ? n : n - (n % 1)) : 0);
  const method = (obj, name, fn) => defineProperty(obj, name, { value: fn, writable: true, configurable: true, enumerable: false });
  const tooLong = () => { throw new RangeErr('Invalid string length'); };

  // --- Strings ---
  const SP = String.prototype;
  const repeat = SP.repeat, padStart = SP.padStart, padEnd = SP.padEnd;
  method(SP, 'repeat', { repeat(count) {
    if (this == null) return apply(repeat, this, arguments);
    const s = '' + this, n = +count;
    if (s.length * toLen(n) > maxChars) tooLong();
    return apply(repeat, s, [n]);
  } }.repeat);
  method(SP, 'padStart', { padStart(targetLength, padString) {
    if (this == null) return apply(padStart, this, arguments);
    const n = +targetLength;
    if (toLen(n) > maxChars) tooLong();
    return apply(padStart, '' + this, [n, padString]);
  } }.padStart);
  method(SP, 'padEnd', { padEnd(targetLength, padString) {
    if (this == null) return apply(padEnd, this, arguments);
    const n = +targetLength;
    if (toLen(n) > maxChars) tooLong();
    return apply(padEnd, '' + this, [n, padString]);
  } }.padEnd);

  // --- Arrays ---
  // new Array(n) itself is sparse in goja and cheap; the guard keeps n sane,
  // and fill/join (native loops over length) are the real allocation points.
  const AP = Array.prototype;
  const OrigArray = Array;
  const fill = AP.fill, join = AP.join;
  const badLength = () => { throw new RangeErr('Invalid array length'); };
  const copyStatics = (from, to) => {
    setPrototypeOf(to, getPrototypeOf(from));
    const names = getOwnPropertyNames(from), symbols = getOwnPropertySymbols(from);
    for (let i = 0; i < names.length + symbols.length; i++) {
      const key = i < names.length ? names[i] : symbols[i - names.length];
      if (key !== 'prototype' && key !== 'length' && key !== 'name') {
        defineProperty(to, key, getOwnPropertyDescriptor(from, key));
      }
    }
    defineProperty(to, 'prototype', { value: from.prototype });
    method(from.prototype, 'constructor', to);
  };
  const GuardedArray = function Array(...args) {
    if (args.length === 1 && typeof args[0] === 'number' && args[0] > maxLength) badLength();
    return construct(OrigArray, args, new.target);
  };
  copyStatics(OrigArray, GuardedArray);
  method(global, 'Array', GuardedArray);
  method(AP, 'fill', { fill(value, start, end) {
    if (this == null) return apply(fill, this, arguments);
    const o = Obj(this);
    const len = toLen(+o.length);
    if (len > maxLength) badLength();
    if (isArray(o)) return apply(fill, o, arguments); // length is a stable data property
    // Array-likes may have a length getter: fill them in (interruptible) JS.
    const rel = (v, d) => { v = v === undefined ? d : +v; v = v < 0 ? v - (v % 1) : toLen(v); return v < 0 ? Math.max(len + v, 0) : Math.min(v, len); };
    for (let i = rel(start, 0), e = rel(end, len); i < e; i++) o[i] = value;
    return o;
  } }.fill);
  // join is rebuilt on top of the native one so the total size is known
  // before the native call allocates it.
  method(AP, 'join', { join(separator) {
    const o = Obj(this);
    const len = toLen(+o.length);
    if (len > maxLength) badLength();
    const sep = separator === undefined ? ',' : Str(separator);
    const parts = new OrigArray(len);
    let total = len > 0 ? (len - 1) * sep.length : 0;
    for (let i = 0; i < len; i++) {
      const v = o[i];
      const s = v == null ? '' : Str(v);
      parts[i] = s;
      total += s.length;
      if (total > maxChars) tooLong();
    }
    return apply(join, parts, [sep]);
  } }.join);

  // --- Lazily guarded globals ---
  // provide(name) builds one on the first read of its name from the global
  // (globals.go caches the result); the code that builds them is itself only
  // set up then (lazyGlobals). The originals cannot be reached before that:
  // there is no literal syntax for typed arrays or dates, no built-in hands
  // out one of their instances, and each guard also replaces
  // prototype.constructor. Everything used here was captured above, before
  // any script ran.
  const lazyGlobals = (loadURL, utf8Encode, utf8Decode) => {
    // ArrayBuffer and typed arrays: the byte length is checked before the
    // native constructor allocates. Each is guarded on its first use; the
    // ArrayBuffer guard always comes first, as every typed array reaches an
    // ArrayBuffer through .buffer.
    const bufferFailed = () => { throw new RangeErr('Array buffer allocation failed'); };
    const guard = (Orig, bytesOf) => {
      const Guarded = { [Orig.name]: function (...args) {
        if (!new.target) throw new TypeErr(`Constructor ${Orig.name} requires 'new'`);
        if (bytesOf(args) > maxBytes) bufferFailed();
        return construct(Orig, args, new.target);
      } }[Orig.name];
      copyStatics(Orig, Guarded);
      return Guarded;
    };
    let AB, GuardedAB;
    const arrayBuffer = () => {
      if (GuardedAB === undefined) {
        AB = orig.ArrayBuffer;
        GuardedAB = guard(AB, (args) => { args[0] = +args[0]; return toLen(args[0]); });
      }
      return GuardedAB;
    };
    const typed = { __proto__: null, Int8Array: null, Uint8Array: null, Uint8ClampedArray: null, Int16Array: null,
      Uint16Array: null, Int32Array: null, Uint32Array: null, Float32Array: null, Float64Array: null,
      BigInt64Array: null, BigUint64Array: null };
    const typedArray = (name) => {
      arrayBuffer();
      const T = orig[name];
      return guard(T, (args) => {
        const a = args[0];
        if (a === null || typeof a !== 'object') return toLen(+a) * T.BYTES_PER_ELEMENT;
        if (a instanceof AB) return 0;
        const len = toLen(+a.length);
        if (len * T.BYTES_PER_ELEMENT <= maxBytes && !isArray(a)) {
          // copy array-likes so the native constructor sees the length checked
          const copy = [];
          for (let i = 0; i < len; i++) copy[i] = a[i];
          args[0] = copy;
        }
        return len * T.BYTES_PER_ELEMENT;
      });
    };

    // Date in UTC (spec §2): local getters, setters and formatting use UTC,
    // and zone-less date strings are read as UTC.
    const makeDate = () => {
      const OrigDate = orig.Date;
      const DP = OrigDate.prototype;
      const localOffset = DP.getTimezoneOffset;
      const parts = ['FullYear', 'Month', 'Date', 'Day', 'Hours', 'Minutes', 'Seconds', 'Milliseconds'];
      for (let i = 0; i < parts.length; i++) {
        method(DP, 'get' + parts[i], DP['getUTC' + parts[i]]);
        if (parts[i] !== 'Day') method(DP, 'set' + parts[i], DP['setUTC' + parts[i]]);
      }
      method(DP, 'getTimezoneOffset', { getTimezoneOffset() { return isNaN(this.getTime()) ? NaN : 0; } }.getTimezoneOffset);
      const pad = (n) => (n < 10 ? '0' + n : '' + n);
      const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
      const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
      const dateStr = (d) => `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${d.getUTCFullYear()}`;
      const timeStr = (d) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} GMT+0000 (Coordinated Universal Time)`;
      const localeDate = (d) => `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;
      const localeTime = (d) => {
        const h = d.getUTCHours();
        return `${h % 12 === 0 ? 12 : h % 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
      };
      const formatter = (f) => function () { return isNaN(this.getTime()) ? 'Invalid Date' : f(this); };
      method(DP, 'toString', formatter((d) => `${dateStr(d)} ${timeStr(d)}`));
      method(DP, 'toDateString', formatter(dateStr));
      method(DP, 'toTimeString', formatter(timeStr));
      method(DP, 'toLocaleString', formatter((d) => `${localeDate(d)}, ${localeTime(d)}`));
      method(DP, 'toLocaleDateString', formatter(localeDate));
      method(DP, 'toLocaleTimeString', formatter(localeTime));
      const hasZone = /(Z|GMT|UTC|[+-]\d\d:?\d\d)(\s*\(.*\))?\s*$/i;
      const dateOnly = /^[+-]?\d{4,6}(-\d\d(-\d\d)?)?$/;
      const parseUTC = (s) => {
        const d = new OrigDate(s);
        const t = d.getTime();
        if (isNaN(t) || hasZone.test(s) || dateOnly.test(s.trim())) return t;
        return t - apply(localOffset, d, []) * 60000;
      };
      const GuardedDate = function Date(...args) {
        if (!new.target) return String(new GuardedDate());
        if (args.length === 1 && typeof args[0] === 'string') args = [parseUTC(args[0])];
        else if (args.length > 1) args = [OrigDate.UTC(...args)];
        return construct(OrigDate, args, new.target);
      };
      setPrototypeOf(GuardedDate, getPrototypeOf(OrigDate));
      defineProperty(GuardedDate, 'prototype', { value: DP });
      method(GuardedDate, 'now', OrigDate.now);
      method(GuardedDate, 'UTC', OrigDate.UTC);
      method(GuardedDate, 'parse', { parse(s) { return parseUTC(String(s)); } }.parse);
      method(DP, 'constructor', GuardedDate);
      return GuardedDate;
    };

    const makeText = () => {
      // The guarded Uint8Array itself, not whatever the global name holds
      // now: a script's own Uint8Array would receive the raw ArrayBuffer
      // made in Go, whose constructor is the original unless the guard is in.
      const U8 = typed.Uint8Array || (typed.Uint8Array = typedArray('Uint8Array'));
      class TextEncoder {
        get encoding() { return 'utf-8'; }
        encode(s = '') { return new U8(utf8Encode(String(s))); }
      }
      class TextDecoder {
        get encoding() { return 'utf-8'; }
        decode(b) { return b === undefined ? '' : utf8Decode(b); }
      }
      return { TextEncoder, TextDecoder };
    };

    let date, url, text;
    return (name) => {
      switch (name) {
        case 'ArrayBuffer': return arrayBuffer();
        case 'DataView': arrayBuffer(); return orig.DataView;
        case 'Date': return date || (date = makeDate());
        case 'URL': case 'URLSearchParams': return (url || (url = loadURL()))[name];
        case 'TextEncoder': case 'TextDecoder': return (text || (text = makeText()))[name];
      }
      if (typed[name] === undefined) return undefined;
      return typed[name] || (typed[name] = typedArray(name));
    };
  };

  // Every handler is async: build Promise now, while the sandbox waits in
  // the pool, rather than on the login's critical path.
  Promise.resolve();

  method(global, 'queueMicrotask', function queueMicrotask(fn) {
    if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function.');
    Promise.resolve().then(() => fn());
  });

  // The Go helpers only the lazy globals use come with each call; the first
  // one keeps them.
  let provide;
  return (name, loadURL, utf8Encode, utf8Decode) => (provide = provide || lazyGlobals(loadURL, utf8Encode, utf8Decode))(name);
})
