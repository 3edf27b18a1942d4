// prelude.js runs in every fresh action runtime before the action module.
// It (1) guards the built-ins that can allocate without bound inside one
// native call, where Runtime.Interrupt cannot reach (security checklist D.44),
// (2) makes Date behave as if the process ran in UTC (spec §2 Timezone), and
// (3) installs lazily-built globals (URL, TextEncoder) so executions that do
// not use them do not pay for them.
(function (global, maxChars, maxLength, maxBytes, loadURL, utf8Encode, utf8Decode) {
  'use strict';
  const defineProperty = Object.defineProperty;
  const apply = Reflect.apply;
  const construct = Reflect.construct;
  const RangeErr = RangeError;
  const toLen = (v) => { const n = Math.trunc(Number(v)); return n > 0 ? n : 0; };
  const method = (obj, name, fn) => defineProperty(obj, name, { value: fn, writable: true, configurable: true, enumerable: false });
  const tooLong = () => { throw new RangeErr('Invalid string length'); };

  // --- Strings ---
  const SP = String.prototype;
  const repeat = SP.repeat, padStart = SP.padStart, padEnd = SP.padEnd;
  method(SP, 'repeat', { repeat(count) {
    if (this != null && String(this).length * toLen(count) > maxChars) tooLong();
    return apply(repeat, this, arguments);
  } }.repeat);
  method(SP, 'padStart', { padStart(targetLength) {
    if (toLen(targetLength) > maxChars) tooLong();
    return apply(padStart, this, arguments);
  } }.padStart);
  method(SP, 'padEnd', { padEnd(targetLength) {
    if (toLen(targetLength) > maxChars) tooLong();
    return apply(padEnd, this, arguments);
  } }.padEnd);

  // --- Arrays ---
  const AP = Array.prototype;
  const OrigArray = Array;
  const fill = AP.fill, join = AP.join;
  const badLength = () => { throw new RangeErr('Invalid array length'); };
  const GuardedArray = function Array(...args) {
    if (args.length === 1 && typeof args[0] === 'number' && args[0] > maxLength) badLength();
    return construct(OrigArray, args, new.target || GuardedArray);
  };
  Object.setPrototypeOf(GuardedArray, Object.getPrototypeOf(OrigArray));
  for (const key of Reflect.ownKeys(OrigArray)) {
    if (key !== 'prototype' && key !== 'length' && key !== 'name') {
      defineProperty(GuardedArray, key, Object.getOwnPropertyDescriptor(OrigArray, key));
    }
  }
  defineProperty(GuardedArray, 'prototype', { value: AP });
  method(AP, 'constructor', GuardedArray);
  method(global, 'Array', GuardedArray);
  method(AP, 'fill', { fill() {
    if (this != null && toLen(Object(this).length) > maxLength) badLength();
    return apply(fill, this, arguments);
  } }.fill);
  // join is rebuilt on top of the native one so the total size is known
  // before the native call allocates it.
  method(AP, 'join', { join(separator) {
    const o = Object(this);
    const len = toLen(o.length);
    if (len > maxLength) badLength();
    const sep = separator === undefined ? ',' : String(separator);
    const parts = new OrigArray(len);
    let total = len > 0 ? (len - 1) * sep.length : 0;
    for (let i = 0; i < len; i++) {
      const v = o[i];
      const s = v == null ? '' : String(v);
      parts[i] = s;
      total += s.length;
      if (total > maxChars) tooLong();
    }
    return apply(join, parts, [sep]);
  } }.join);

  // --- ArrayBuffer and typed arrays ---
  const bufferFailed = () => { throw new RangeErr('Array buffer allocation failed'); };
  const guardCtor = (Orig, bytesOf) => {
    const Guarded = { [Orig.name]: function (...args) {
      if (!new.target) return construct(Orig, args); // throws the native TypeError
      if (bytesOf(args) > maxBytes) bufferFailed();
      return construct(Orig, args, new.target === Guarded ? Orig : new.target);
    } }[Orig.name];
    Object.setPrototypeOf(Guarded, Object.getPrototypeOf(Orig));
    for (const key of Reflect.ownKeys(Orig)) {
      if (key !== 'prototype' && key !== 'length' && key !== 'name') {
        defineProperty(Guarded, key, Object.getOwnPropertyDescriptor(Orig, key));
      }
    }
    defineProperty(Guarded, 'prototype', { value: Orig.prototype });
    method(Orig.prototype, 'constructor', Guarded);
    method(global, Orig.name, Guarded);
  };
  guardCtor(ArrayBuffer, (args) => toLen(args[0]));
  for (const T of [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array,
    Int32Array, Uint32Array, Float32Array, Float64Array]) {
    guardCtor(T, (args) => {
      const a = args[0];
      if (typeof a === 'number') return toLen(a) * T.BYTES_PER_ELEMENT;
      if (a !== null && typeof a === 'object' && !(a instanceof ArrayBuffer)) return toLen(a.length) * T.BYTES_PER_ELEMENT;
      return 0;
    });
  }

  // --- Date in UTC ---
  const OrigDate = Date;
  const DP = OrigDate.prototype;
  const localOffset = DP.getTimezoneOffset;
  for (const part of ['FullYear', 'Month', 'Date', 'Day', 'Hours', 'Minutes', 'Seconds', 'Milliseconds']) {
    method(DP, 'get' + part, DP['getUTC' + part]);
    if (part !== 'Day') method(DP, 'set' + part, DP['setUTC' + part]);
  }
  method(DP, 'getTimezoneOffset', { getTimezoneOffset() { return isNaN(this.getTime()) ? NaN : 0; } }.getTimezoneOffset);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
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
  // A date string without a zone is local time in JS; local is UTC here.
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
    return construct(OrigDate, args, new.target === GuardedDate ? OrigDate : new.target);
  };
  Object.setPrototypeOf(GuardedDate, Object.getPrototypeOf(OrigDate));
  defineProperty(GuardedDate, 'prototype', { value: DP });
  method(GuardedDate, 'now', OrigDate.now);
  method(GuardedDate, 'UTC', OrigDate.UTC);
  method(GuardedDate, 'parse', { parse(s) { return parseUTC(String(s)); } }.parse);
  method(DP, 'constructor', GuardedDate);
  method(global, 'Date', GuardedDate);

  // --- Lazy globals ---
  const lazy = (names, make) => {
    let made;
    for (const name of names) {
      defineProperty(global, name, {
        configurable: true, enumerable: false,
        get() {
          made = made || make();
          method(global, name, made[name]);
          return made[name];
        },
        set(v) { method(global, name, v); },
      });
    }
  };
  lazy(['URL', 'URLSearchParams'], loadURL);
  lazy(['TextEncoder', 'TextDecoder'], () => {
    class TextEncoder {
      get encoding() { return 'utf-8'; }
      encode(s = '') { return new Uint8Array(utf8Encode(String(s))); }
    }
    class TextDecoder {
      get encoding() { return 'utf-8'; }
      decode(b) { return b === undefined ? '' : utf8Decode(b); }
    }
    return { TextEncoder, TextDecoder };
  });
  method(global, 'queueMicrotask', function queueMicrotask(fn) {
    if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function.');
    Promise.resolve().then(() => fn());
  });
})
