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
(function (global, orig, maxChars, maxLength, maxBytes, apply, construct, syms, isPlainArray) {
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
  const Num = Number;
  // instanceof without Symbol.hasInstance, which a script can define
  const isA = (v, C) => { for (let p = getPrototypeOf(v); p !== null; p = getPrototypeOf(p)) if (p === C.prototype) return true; return false; };
  const isArray = Array.isArray;
  // toLen never calls script code twice: callers convert once with unary +
  // and hand the converted primitive to the native call (no TOCTOU).
  // ToString without a script's String (symbols throw, as in the spec).
  const toStr = (v) => (typeof v === 'string' ? v : typeof v === 'symbol' ? '' + v : Str(v));
  const toLen = (n) => (n > 0 ? (n === Infinity ? n : n - (n % 1)) : 0);
  const method = (obj, name, fn) => defineProperty(obj, name, { value: fn, writable: true, configurable: true, enumerable: false });
  const tooLong = () => { throw new RangeErr('Invalid string length'); };
  const badLength = () => { throw new RangeErr('Invalid array length'); };

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
    if (isPlainArray(o)) return apply(fill, o, arguments); // length is a stable data property
    // Array-likes may have a length getter: fill them in (interruptible) JS.
    const rel = (v, d) => { v = v === undefined ? d : +v; v = v < 0 ? v - (v % 1) : toLen(v); return v < 0 ? Math.max(len + v, 0) : Math.min(v, len); };
    for (let i = rel(start, 0), e = rel(end, len); i < e; i++) o[i] = value;
    return o;
  } }.fill);
  // join is rebuilt on top of the native one so the total size is known
  // before the native call allocates it.
  const guardedJoin = { join(separator) {
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
  } }.join;
  method(AP, 'join', guardedJoin);

  // --- Single-call amplifiers (security checklist D.44) ---
  // These built-ins build their whole result in one native call from a
  // small input: replace/replaceAll with a long replacement, concat, split,
  // normalize, flat on a self-referencing or wide array, toLocaleString, and
  // JSON.stringify of a graph with shared references (exponential output).
  // (flatMap needs no guard: each callback result is appended, and the
  // callback is interruptible JS.) Only thin methods are installed up front,
  // by assignment (the attributes stay those of the built-in); the code that
  // does the work is built on the first call. Each costs ~2 µs per sandbox,
  // mostly goja materializing the native it replaces; RegExp.prototype
  // ~13 µs, as goja builds it whole. The engine's own serializations of
  // claims and console values are bounded in Go (jsonsize.go).
  // The Array.prototype length guards below (concat, indexOf, lastIndexOf,
  // includes, copyWithin, reverse, sort, keys, values/@@iterator, entries,
  // and Array.from) add ~25 µs per sandbox: each materializes a native of
  // goja's lazily built Array.prototype, and setting @@iterator builds its
  // symbol properties (@@unscopables). Still unguarded, CPU only: the
  // callback methods that skip holes (forEach, filter, every, some, reduce,
  // reduceRight, flatMap), toReversed, with, toSpliced, splice, shift,
  // unshift, and an array iterator made before its array's length grew.
  const symReplace = syms[0], symSplit = syms[1];
  const RP = RegExp.prototype;
  let impl;
  const guards = () => impl || (impl = makeGuards());
  const thin = {
    replace(searchValue, replaceValue) { return guards().replace(replace, this, arguments); },
    replaceAll(searchValue, replaceValue) { return guards().replace(replaceAll, this, arguments); },
    '[Symbol.replace]'(string, replaceValue) { return guards().rxReplace(rxReplace, this, arguments); },
    split(separator, limit) { return guards().split(split, this, arguments); },
    '[Symbol.split]'(string, limit) { return guards().split(rxSplit, this, arguments); },
    concat(...strings) { return guards().concat(this, arguments); },
    normalize() { return guards().normalize(this, arguments); },
    flat() { return guards().flat(this, arguments); },
    toLocaleString() { return guards().toLocaleString(this); },
    stringify(value, replacer, space) { return stringify(value, replacer, space); },
    // Array.prototype methods that loop natively over length, whatever the
    // number of elements (a = []; a.length = 2**32-1): see lengthCapped.
    arrayConcat(...items) { return guards().arrayConcat(this, arguments); },
    indexOf(searchElement) { return guards().capped(aIndexOf, false, this, arguments); },
    lastIndexOf(searchElement) { return guards().capped(aLastIndexOf, false, this, arguments); },
    includes(searchElement) { return guards().capped(aIncludes, false, this, arguments); },
    copyWithin(target, start) { return guards().capped(aCopyWithin, true, this, arguments); },
    reverse() { return guards().capped(aReverse, true, this, arguments); },
    sort(compareFn) { return guards().capped(aSort, true, this, arguments); },
    keys() { return guards().capped(aKeys, false, this, arguments); },
    values() { return guards().capped(aValues, false, this, arguments); },
    entries() { return guards().capped(aEntries, false, this, arguments); },
    from(items) { return guards().from(this, arguments); },
  };
  const replace = SP.replace, replaceAll = SP.replaceAll, split = SP.split, concat = SP.concat, normalize = SP.normalize;
  const rxReplace = RP[symReplace], rxSplit = RP[symSplit];
  const origStringify = JSON.stringify;
  SP.replace = thin.replace;
  SP.replaceAll = thin.replaceAll;
  SP.split = thin.split;
  SP.concat = thin.concat;
  SP.normalize = thin.normalize;
  RP[symReplace] = thin['[Symbol.replace]'];
  RP[symSplit] = thin['[Symbol.split]'];
  AP.flat = thin.flat;
  AP.toLocaleString = thin.toLocaleString;
  JSON.stringify = thin.stringify;
  const symIterator = syms[2], symSpreadable = syms[3];
  const aConcat = AP.concat, aIndexOf = AP.indexOf, aLastIndexOf = AP.lastIndexOf, aIncludes = AP.includes,
    aCopyWithin = AP.copyWithin, aReverse = AP.reverse, aSort = AP.sort, aKeys = AP.keys, aValues = AP.values,
    aEntries = AP.entries;
  AP.concat = thin.arrayConcat;
  AP.indexOf = thin.indexOf;
  AP.lastIndexOf = thin.lastIndexOf;
  AP.includes = thin.includes;
  AP.copyWithin = thin.copyWithin;
  AP.reverse = thin.reverse;
  AP.sort = thin.sort;
  AP.keys = thin.keys;
  AP.values = thin.values;
  AP[symIterator] = thin.values;
  AP.entries = thin.entries;
  const aFrom = OrigArray.from;
  GuardedArray.from = thin.from;

  // JSON.stringify with a replacer that counts the output as it goes
  // (every value passes through it) and tracks the nesting depth for the
  // indentation; a property-list replacer is applied by the counting pass
  // and then by the native on the checked value. The replacer is one
  // function with its state here (saved around a nested call from a toJSON
  // or replacer), not a closure per call.
  const maxDepth = 5000;
  const stack = [];
  let sFn, sKeys, sGap = 0, sBase = 0, sDepth = 0, sTotal = 0;
  const counter = function (key, v) {
    if (sFn !== undefined) v = apply(sFn, this, [key, v]);
    else if (sKeys !== undefined && sDepth > sBase && !isArray(this) && sKeys[key] !== true) return undefined;
    while (sDepth > sBase && stack[sDepth - 1] !== this) sDepth--;
    // with an indent, a value takes a line, and an object or array a second
    // one for its closing bracket
    sTotal += key.length + 4 + 2 * sGap * (sDepth - sBase) + (typeof v === 'string' ? v.length : 24);
    if (sTotal > maxChars) tooLong();
    if (v !== null && typeof v === 'object') {
      if (sDepth - sBase >= maxDepth) throw new RangeErr('Maximum call stack size exceeded');
      stack[sDepth++] = v;
    }
    return v;
  };
  const stringify = (value, replacer, space) => {
    let fn, keys;
    if (typeof replacer === 'function') fn = replacer;
    else if (isArray(replacer)) {
      keys = { __proto__: null };
      const len = toLen(+replacer.length);
      for (let i = 0; i < len; i++) {
        const k = replacer[i], t = typeof k;
        if (t === 'string' || t === 'number' || (k !== null && t === 'object' && (isA(k, Str) || isA(k, Num)))) keys[toStr(k)] = true;
      }
    }
    const pFn = sFn, pKeys = sKeys, pGap = sGap, pBase = sBase, pDepth = sDepth, pTotal = sTotal;
    sFn = fn; sKeys = keys; sGap = space == null ? 0 : 11; sBase = sDepth; sTotal = 0;
    try {
      const out = origStringify(value, counter, space);
      return keys === undefined ? out : origStringify(value, replacer, space);
    } finally {
      for (let i = sBase; i < sDepth; i++) stack[i] = undefined;
      sFn = pFn; sKeys = pKeys; sGap = pGap; sBase = pBase; sDepth = pDepth; sTotal = pTotal;
    }
  };

  const makeGuards = () => {
    const slice = SP.slice, indexOf = SP.indexOf;
    const toInt = (n) => (n !== n ? 0 : n === Infinity || n === -Infinity ? n : n - (n % 1));

    // replace: the result is at most the subject plus one replacement per
    // match, and there are at most length + 1 matches; a "$" in a template
    // expands to at most the subject. Within that bound the native runs
    // unchanged. Past it, a template is expanded here (GetSubstitution, spec
    // 22.1.3.19.1) and a function's results are counted, each through a
    // function replacer, so the total is checked match by match.
    const substitute = (tpl, args, room) => {
      let n = args.length, groups;
      if (typeof args[n - 1] === 'object') groups = args[--n];
      const str = args[n - 1], pos = args[n - 2], matched = args[0], m = n - 3;
      // pieces are joined once at the end: += in a loop would copy the
      // growing result again for every piece
      const parts = [];
      let count = 0, size = 0, i = 0;
      const add = (piece) => {
        size += piece.length;
        if (size > room) tooLong();
        parts[count++] = piece;
      };
      for (;;) {
        const j = apply(indexOf, tpl, ['$', i]);
        add(j < 0 ? apply(slice, tpl, [i]) : apply(slice, tpl, [i, j]));
        if (j < 0) break;
        const d = tpl[j + 1];
        let piece = '$';
        i = j + 1;
        if (d === '$') i++;
        else if (d === '&') { piece = matched; i++; }
        else if (d === '`') { piece = apply(slice, str, [0, pos]); i++; }
        else if (d === "'") { piece = apply(slice, str, [pos + matched.length]); i++; }
        else if (d >= '0' && d <= '9') {
          const e = tpl[j + 2], two = e >= '0' && e <= '9' ? +(d + e) : 0;
          if (two >= 1 && two <= m) { piece = args[two]; i += 2; } else if (+d >= 1 && +d <= m) { piece = args[+d]; i++; }
          if (piece === undefined) piece = '';
        } else if (d === '<' && groups !== undefined) {
          const end = apply(indexOf, tpl, ['>', j + 2]);
          if (end >= 0) { const v = groups[apply(slice, tpl, [j + 2, end])]; piece = v === undefined ? '' : toStr(v); i = end + 1; }
        }
        add(piece);
      }
      return apply(join, parts, ['']);
    };
    // Counted match by match, every replacement is also a string of its own
    // until the native joins them (and goja's result buffer grows by
    // doubling), so the count stops at half the string limit: reaching it
    // then fails with this error well before the heap watchdog's limit.
    const maxReplaced = maxChars >> 1;
    const bounded = (s, replaceValue) => {
      let total = s.length;
      const take = (r) => { total += r.length; if (total > maxReplaced) tooLong(); return r; };
      if (typeof replaceValue === 'function') {
        return function () { return take(toStr(apply(replaceValue, undefined, arguments))); };
      }
      const tpl = toStr(replaceValue);
      const perMatch = apply(indexOf, tpl, ['$']) < 0 ? tpl.length : tpl.length * (s.length + 1);
      if (s.length + (s.length + 1) * perMatch <= maxChars) return tpl;
      return function () { return take(substitute(tpl, arguments, maxReplaced - total)); };
    };

    // One element per character at worst, each a string (~4 array slots):
    // the limit is capped one past a quarter of the array cap, and reaching
    // it fails.
    const maxParts = maxLength >> 2;
    const splitCapped = (native, self, args) => {
      const limit = args[1], lim = limit === undefined ? 4294967295 : limit >>> 0;
      const a = apply(native, self, [args[0], lim > maxParts ? maxParts + 1 : lim]);
      if (isArray(a) && a.length > maxParts) badLength();
      return a;
    };

    // flat in JS: interruptible, bounded, and a self-referencing array with
    // depth Infinity overflows the JS call stack instead of goja's Go stack.
    // The result is a plain Array (no Symbol.species).
    const flatInto = (out, src, depth) => {
      const len = toLen(+src.length);
      for (let i = 0; i < len; i++) {
        if (!(i in src)) continue;
        const v = src[i];
        if (depth > 0 && isArray(v)) flatInto(out, v, depth - 1);
        else {
          if (out.length >= maxLength) badLength();
          out[out.length] = v;
        }
      }
      return out;
    };

    // Arrays have a stable data length, checked before the native runs.
    // Anything else (an array-like, possibly with a length getter, or a
    // Proxy, which Array.isArray calls an array) is read
    // once into a real array, holes kept, in interruptible JS; the native
    // runs on that copy, and a mutating method's result is written back.
    const lengthCapped = (native, mutates, self, args) => {
      if (self == null) return apply(native, self, args);
      const o = Obj(self);
      if (isPlainArray(o)) {
        if (o.length > maxLength) badLength();
        return apply(native, o, args);
      }
      const len = toLen(+o.length);
      if (len > maxLength) badLength();
      const c = new OrigArray(len);
      for (let i = 0; i < len; i++) if (i in o) c[i] = o[i];
      const r = apply(native, c, args);
      if (!mutates) return r;
      for (let i = 0; i < len; i++) {
        if (i in c) o[i] = c[i];
        else delete o[i];
      }
      return o;
    };
    // concat: when every item is a primitive or an array (not a Proxy: its
    // length is a stable data property, and it spreads unless its
    // Symbol.isConcatSpreadable says false) the total is bounded by the sum
    // of the lengths, checked before the native runs. Otherwise it runs here,
    // reading each item's Symbol.isConcatSpreadable and length once. The
    // result is a plain Array (no Symbol.species), as with flat.
    const arrayConcat = (self, args) => {
      if (self == null) return apply(aConcat, self, args);
      const o = Obj(self);
      let plain = isPlainArray(o), total = plain ? o.length : 1;
      for (let i = 0; plain && i < args.length; i++) {
        const v = args[i];
        if (v !== null && (typeof v === 'object' || typeof v === 'function')) {
          if (!isPlainArray(v)) { plain = false; break; }
          total += v.length;
        } else total++;
      }
      if (plain) {
        if (total > maxLength) badLength();
        return apply(aConcat, o, args);
      }
      const out = [];
      let n = 0;
      for (let i = -1; i < args.length; i++) {
        const v = i < 0 ? o : args[i];
        if (v !== null && (typeof v === 'object' || typeof v === 'function')) {
          const sp = v[symSpreadable];
          if (sp === undefined ? isArray(v) : sp) {
            const len = toLen(+v.length);
            if (n + len > maxLength) badLength();
            for (let k = 0; k < len; k++) if (k in v) out[n + k] = v[k];
            n += len;
            continue;
          }
        }
        if (n + 1 > maxLength) badLength();
        out[n++] = v;
      }
      out.length = n;
      return out;
    };

    // Array.from(arrayLike) calls new this(length), which the guarded
    // Array refuses, but another this (Array.from.call(Object, ...)) gets
    // the length unchecked; an iterable's Symbol.iterator may be a getter
    // that answers differently when the native reads it again. So an
    // array-like is copied here, its length read once and checked, and an
    // iterable reaches the native through its method as read here (arrays,
    // whose iterators check their length, go straight through).
    const arrayFrom = (self, args) => {
      const items = args[0];
      if (items == null || isPlainArray(items)) return apply(aFrom, self, args);
      const m = items[symIterator];
      let src;
      if (m == null) {
        const o = Obj(items), len = toLen(+o.length);
        if (len > maxLength) badLength();
        src = new OrigArray(len);
        for (let i = 0; i < len; i++) src[i] = o[i];
      } else src = { [symIterator]() { return apply(m, items, []); } };
      return apply(aFrom, self, [src, args[1], args[2]]);
    };

    return {
      capped: lengthCapped,
      from: arrayFrom,
      arrayConcat,
      replace(native, self, args) {
        if (self == null) return apply(native, self, args);
        const s = toStr(self);
        return apply(native, s, [args[0], bounded(s, args[1])]);
      },
      rxReplace(native, self, args) {
        const s = toStr(args[0]);
        return apply(native, self, [s, bounded(s, args[1])]);
      },
      split: splitCapped,
      concat(self, args) {
        if (self == null) return apply(concat, self, args);
        const s = toStr(self), parts = [];
        let total = s.length;
        for (let i = 0; i < args.length; i++) {
          const p = toStr(args[i]);
          total += p.length;
          if (total > maxChars) tooLong();
          parts[i] = p;
        }
        return apply(concat, s, parts);
      },
      // NFC/NFD grow a string at most 4 times, NFKC/NFKD 18 times (U+FDFA),
      // in UTF-16 code units.
      normalize(self, args) {
        if (self == null) return apply(normalize, self, args);
        const s = toStr(self), f = args[0] === undefined ? 'NFC' : toStr(args[0]);
        if (s.length * (f === 'NFKC' || f === 'NFKD' ? 18 : 4) > maxChars) tooLong();
        return apply(normalize, s, [f]);
      },
      flat(self, args) {
        const o = Obj(self);
        return flatInto([], o, args[0] === undefined ? 1 : toInt(+args[0]));
      },
      // Array and typed array toLocaleString: each element's string is
      // counted before the native join sees them.
      toLocaleString(self) {
        const o = Obj(self);
        const len = toLen(+o.length);
        if (len > maxLength) badLength();
        const parts = new OrigArray(len);
        let total = len > 0 ? len - 1 : 0;
        for (let i = 0; i < len; i++) {
          const v = o[i];
          const s = v == null ? '' : toStr(apply(Obj(v).toLocaleString, v, []));
          total += s.length;
          if (total > maxChars) tooLong();
          parts[i] = s;
        }
        return apply(join, parts, [',']);
      },
    };
  };

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
    // %TypedArray%.prototype join and toLocaleString loop natively over
    // the elements: up to maxBytes of them, each with the separator. Past a
    // bound on the output they run as the guarded Array methods, which count.
    let TAP;
    const guardTypedProto = (T) => {
      TAP = getPrototypeOf(T.prototype);
      const tjoin = TAP.join, lengthOf = getOwnPropertyDescriptor(TAP, 'length').get;
      TAP.join = { join(separator) {
        const len = apply(lengthOf, this, []); // also checks this is a typed array
        const sep = separator === undefined ? ',' : toStr(separator);
        if (len * (sep.length + 24) <= maxChars) return apply(tjoin, this, [sep]);
        return apply(guardedJoin, this, [sep]);
      } }.join;
      TAP.toLocaleString = thin.toLocaleString;
    };
    const typedArray = (name) => {
      arrayBuffer();
      const T = orig[name];
      if (TAP === undefined) guardTypedProto(T);
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
  (async () => { await null; })();

  method(global, 'queueMicrotask', function queueMicrotask(fn) {
    if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function.');
    Promise.resolve().then(() => fn());
  });

  // The Go helpers only the lazy globals use come with each call; the first
  // one keeps them.
  let provide;
  return (name, loadURL, utf8Encode, utf8Decode) => (provide = provide || lazyGlobals(loadURL, utf8Encode, utf8Decode))(name);
})
