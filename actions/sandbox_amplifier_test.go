package actions

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// Single-call amplifiers (security checklist D.44): built-ins that build a
// huge result in one native call from a small input, where Runtime.Interrupt
// cannot reach. Each route must fail fast with the guard's own error (never
// the memory watchdog's "memory limit", which means the native ran), and the
// heap must stay bounded.
var amplifiers = map[string]struct{ src, want string }{
	"replace regexp, long replacement":      {`'a'.repeat(1e4).replace(/a/g, 'b'.repeat(1e5))`, "Invalid string length"},
	"replaceAll string, long replacement":   {`'a'.repeat(1e4).replaceAll('a', 'b'.repeat(1e5))`, "Invalid string length"},
	"replace function result":               {`const r = 'b'.repeat(1e5); 'a'.repeat(1e4).replace(/a/g, () => r)`, "Invalid string length"},
	"replaceAll function result":            {`const r = 'b'.repeat(1e5); 'a'.repeat(1e4).replaceAll('a', () => r)`, "Invalid string length"},
	"replace $& template":                   {`'a'.repeat(1e4).replace(/a+/g, '$&'.repeat(1e3))`, "Invalid string length"},
	"replace $\x60 template, string search": {"('a'.repeat(1e5) + 'x').replace('x', '$`'.repeat(100))", "Invalid string length"},
	"replace $<name> template":              {`'a'.repeat(1e4).replace(/(?<x>a+)/, '$<x>'.repeat(1e3))`, "Invalid string length"},
	"Symbol.replace called directly":        {`RegExp.prototype[Symbol.replace].call(/a/g, 'a'.repeat(1e4), 'b'.repeat(1e5))`, "Invalid string length"},
	"concat many arguments":                 {`''.concat(...Array(1000).fill('x'.repeat(4e6)))`, "Invalid string length"},
	"split into characters":                 {`'x'.repeat(4e6).split('')`, "Invalid array length"},
	"normalize NFKD":                        {`'\uFDFA'.repeat(1e6).normalize('NFKD')`, "Invalid string length"},
	"flat self-referencing":                 {`const a = [1]; a.push(a); a.flat(Infinity)`, "Maximum call stack size exceeded"},
	"toLocaleString":                        {`Array(1000).fill('x'.repeat(4e6)).toLocaleString()`, "Invalid string length"},
	"typed array join":                      {`new Uint8Array(4e6).join('x'.repeat(1000))`, "Invalid array length"},
	"typed array toLocaleString":            {`new Uint8Array(4e6).toLocaleString()`, "Invalid array length"},
	"JSON.stringify shared references":      {`let a = ['x'.repeat(1e5)]; for (let i = 0; i < 40; i++) a = [a, a]; JSON.stringify(a)`, "Invalid string length"},
	"JSON.stringify property list":          {`let a = {k: 'x'.repeat(1e5)}; for (let i = 0; i < 40; i++) a = {k: a, j: a}; JSON.stringify(a, ['k', 'j'])`, "Invalid string length"},
	"JSON.stringify deep indent":            {`let a = []; for (let i = 0; i < 4000; i++) a = [a]; JSON.stringify(a, null, 10)`, "Invalid string length"},
	"JSON.stringify deep nesting":           {`let a = []; for (let i = 0; i < 20000; i++) a = [a]; JSON.stringify(a)`, "Maximum call stack size exceeded"},
	"claim with shared references":          {`let a = [1]; for (let i = 0; i < 40; i++) a = [a, a]; api.idToken.setCustomClaim('https://x.test/a', a)`, "Value is not JSON-serializable: Invalid string length"},

	// Native loops over a huge length with few elements: a = []; a.length
	// = 2**32-1, or an array-like {length: 2**53-1}.
	"array concat spreadable array-like":   {`[].concat({length: 2**32-1, [Symbol.isConcatSpreadable]: true})`, "Invalid array length"},
	"array concat huge arrays":             {`const a = []; a.length = 2**31; [1].concat(a, a)`, "Invalid array length"},
	"array concat on spreadable this":      {`Array.prototype.concat.call({length: 2**53-1, [Symbol.isConcatSpreadable]: true}, 1)`, "Invalid array length"},
	"Array.from keys of huge array":        {`const a = []; a.length = 2**32-1; Array.from(a.keys())`, "Invalid array length"},
	"Array.from values of huge array":      {`const a = []; a.length = 2**32-1; Array.from(a.values())`, "Invalid array length"},
	"Array.from entries of huge array":     {`const a = []; a.length = 2**32-1; Array.from(a.entries())`, "Invalid array length"},
	"Array.from huge array":                {`const a = []; a.length = 2**32-1; Array.from(a)`, "Invalid array length"},
	"Array.from array-like":                {`Array.from({length: 2**32-1})`, "Invalid array length"},
	"Array.from keys of array-like":        {`Array.from(Array.prototype.keys.call({length: 2**53-1}))`, "Invalid array length"},
	"Array.from array-like, other this":    {`Array.from.call(Object, {length: 2**32-1})`, "Invalid array length"},
	"Array.from array-like, function this": {`Array.from.call(function () { return {} }, {length: 2**32-1})`, "Invalid array length"},
	"spread keys of huge array":            {`const a = []; a.length = 2**32-1; [...a.keys()]`, "Invalid array length"},
	"spread huge array":                    {`const a = []; a.length = 2**32-1; [...a]`, "Invalid array length"},
	"spread huge array into call":          {`const a = []; a.length = 2**32-1; Math.max(...a)`, "Invalid array length"},
	"array indexOf huge length":            {`const a = []; a.length = 2**32-1; a.indexOf(1)`, "Invalid array length"},
	"array lastIndexOf huge length":        {`const a = []; a.length = 2**32-1; a.lastIndexOf(1)`, "Invalid array length"},
	"array includes huge length":           {`const a = []; a.length = 2**32-1; a.includes(1)`, "Invalid array length"},
	"array join huge length":               {`const a = []; a.length = 2**32-1; a.join()`, "Invalid array length"},
	"array fill huge length":               {`const a = []; a.length = 2**32-1; a.fill(1, 0, 5)`, "Invalid array length"},
	"array copyWithin huge length":         {`const a = []; a.length = 2**32-1; a.copyWithin(0, 1)`, "Invalid array length"},
	"array reverse huge length":            {`const a = []; a.length = 2**32-1; a.reverse()`, "Invalid array length"},
	"array sort huge length":               {`const a = []; a.length = 2**32-1; a.sort()`, "Invalid array length"},
	"array-like indexOf huge length":       {`Array.prototype.indexOf.call({length: 2**53-1}, 1)`, "Invalid array length"},
	"array-like lastIndexOf huge length":   {`Array.prototype.lastIndexOf.call({length: 2**53-1}, 1)`, "Invalid array length"},
	"array-like includes huge length":      {`Array.prototype.includes.call({length: 2**53-1}, 1)`, "Invalid array length"},
	"array-like join huge length":          {`Array.prototype.join.call({length: 2**53-1})`, "Invalid array length"},
	"array-like fill huge length":          {`Array.prototype.fill.call({length: 2**53-1}, 1, 0, 5)`, "Invalid array length"},
	"array-like copyWithin huge length":    {`Array.prototype.copyWithin.call({length: 2**53-1}, 0, 1)`, "Invalid array length"},
	"array-like reverse huge length":       {`Array.prototype.reverse.call({length: 2**53-1})`, "Invalid array length"},
	"array-like sort huge length":          {`Array.prototype.sort.call({length: 2**53-1})`, "Invalid array length"},
	"proxy of array, indexOf":              {`const p = new Proxy([], {}); p.length = 2**32-1; p.indexOf(1)`, "Invalid array length"},
	"proxy of array, fill":                 {`const p = new Proxy([], {}); p.length = 2**32-1; p.fill(1, 0, 1)`, "Invalid array length"},
	"proxy of array, concat":               {`const p = new Proxy([], {}); p.length = 2**32-1; [].concat(p)`, "Invalid array length"},
}

func TestSandboxAmplifiersAreRefused(t *testing.T) {
	for name, tc := range amplifiers {
		t.Run(name, func(t *testing.T) {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			out := runJS(t, Input{}, Options{Timeout: 10 * time.Second, MaxMemory: 16 << 20},
				`exports.onExecutePostLogin = async (event, api) => { `+tc.src+` }`)
			el := time.Since(start)
			runtime.ReadMemStats(&after)
			wantErr(t, out, tc.want)
			if el > 2*time.Second {
				t.Fatalf("took %v", el)
			}
			if after.HeapInuse > before.HeapInuse+256<<20 {
				t.Fatalf("heap grew by %d MiB", (after.HeapInuse-before.HeapInuse)>>20)
			}
		})
	}
}

// The guarded built-ins keep their results, including on the slow paths a
// guard takes past its cheap bound (a "$" template on a long subject is
// expanded in JS).
func TestSandboxAmplifierGuardsKeepNormalBehaviour(t *testing.T) {
	out := runJS(t, Input{}, shortBudget, `exports.onExecutePostLogin = async () => {
		const tpl = '$2, $1 [$<last>] $$ $0 $3 $10 $01 $<nope>', rx = /(\w+)\s(?<last>\w+)$/;
		const pad = '-'.repeat(3000), long = (pad + 'John Smith').replace(rx, tpl), short = ('-John Smith').replace(rx, tpl);
		console.log(long.slice(3000) === short.slice(1), short);
		console.log((pad + 'a<b>c').replace(/b/, "[$\x60|$']") === pad + 'a<[' + pad + 'a<|>c]>c', 'a-b-c'.replace('-', "$'$\x60"));
		console.log('foo boo'.replace(/(o)/g, (m, p1, off) => p1.toUpperCase() + off), 'aXbXc'.replaceAll('X', '$&$&'),
			'x'.replace('x', () => 5), (() => { try { 'a'.replaceAll(/a/, 'b') } catch (e) { return e.constructor.name } })(),
			'ab'.replace({ [Symbol.replace]: (s, r) => s + r }, '!'), String.prototype.replace.call(12, 2, 3));
		console.log('a,b,c'.split(',', 2).join('|'), 'a,b'.split(',', -1).length, 'a1b2c'.split(/\d/).join('|'), 'abc'.split('').length,
			'a'.concat(1, null, [2, 3]), 'A\u030A'.normalize() === '\u00C5', '\uFB01'.normalize('NFKD'), typeof ''.normalize);
		console.log(JSON.stringify([1, [2, [3, [4]]]].flat()), JSON.stringify([1, [2, [3, [4]]]].flat(Infinity)), [1, , 3].flat().length,
			[[1], [2]].flatMap(x => x).join(), [1, 'a', null, 2.5].toLocaleString(), new Uint8Array([1, 2, 3]).join('-'),
			new Uint8Array([1, 2]).toLocaleString(), new Float64Array([1.5]).join());
		const o = {b: 1, a: [1, {c: 2}], d: new Date(0), t: {toJSON: () => 'T'}, u: undefined};
		console.log(JSON.stringify(o), JSON.stringify(o, ['a', 'c', 'b']), JSON.stringify(o, (k, v) => typeof v === 'number' ? v * 10 : v));
		console.log(JSON.stringify({a: [1, {b: 2}]}, null, 2).split('\n').length, JSON.stringify('x'), JSON.stringify(undefined) === undefined,
			(() => { const c = {}; c.c = c; try { JSON.stringify(c) } catch (e) { return e.constructor.name } })()) }`)
	wantOK(t, out)
	want := []string{
		"true -Smith, John [Smith] $ $0 $3 John0 John ",
		"true ab-cab-c",
		"fO1O2 bO5O6 aXXbXXc 5 TypeError ab! 13",
		"a|b 2 a|b|c 3 a1null2,3 true fi function",
		"[1,2,[3,[4]]] [1,2,3,4] 2 1,2 1,a,,2.5 1-2-3 1,2 1.5",
		`{"b":1,"a":[1,{"c":2}],"d":"1970-01-01T00:00:00.000Z","t":"T"} {"a":[1,{"c":2}],"b":1} {"b":10,"a":[10,{"c":20}],"d":"1970-01-01T00:00:00.000Z","t":"T"}`,
		`8 "x" true TypeError`,
	}
	if got := consoleOf(out); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("console\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The length guards on Array.prototype keep the built-ins' results, on
// arrays and on array-likes (which run on a copy, written back by the
// mutating methods), and read an array-like's length once.
func TestSandboxArrayLengthGuardsKeepNormalBehaviour(t *testing.T) {
	out := runJS(t, Input{}, shortBudget, `exports.onExecutePostLogin = async () => {
		const AP = Array.prototype, a = [3, 1, 2, 1];
		console.log(a.indexOf(1), a.lastIndexOf(1), a.includes(2), a.indexOf(1, 2), a.includes(NaN), [NaN].includes(NaN), [NaN].indexOf(NaN));
		console.log([...a].sort().join(), [...a].sort((x, y) => y - x).join(), [...a].reverse().join(), [1, 2, 3, 4, 5].copyWithin(0, 3).join());
		console.log([...a.keys()].join(), [...a.values()].join(), JSON.stringify([...a.entries()]), Array.from(a).length, [...a].length,
			AP[Symbol.iterator] === AP.values, AP.values.name, AP.indexOf.name, typeof AP.concat);
		let n = 0; for (const x of a) n += x; const [p, q] = a;
		console.log(n, p, q, Math.max(...a), new Set(a).size, [1, [2]].concat(3, [4, [5]], 'x').length, JSON.stringify([1].concat([2], {length: 1, 0: 'z'})));
		const like = {length: 4, 0: 'b', 1: 'a', 3: 'c'};
		console.log(AP.indexOf.call(like, 'a'), AP.lastIndexOf.call(like, 'c'), AP.includes.call(like, undefined), AP.indexOf.call(like, undefined),
			JSON.stringify(AP.reverse.call({...like})), JSON.stringify(AP.sort.call({...like})), JSON.stringify(AP.copyWithin.call({...like}, 0, 2)));
		const spread = {length: 3, 0: 'p', 2: 'r', [Symbol.isConcatSpreadable]: true}, r = [0].concat(spread, 'x');
		console.log(r.length, 1 in r, 2 in r, r.join('|'), JSON.stringify(AP.concat.call('s', [1])), JSON.stringify([...AP.keys.call({length: 2})]));
		let reads = 0; const getter = () => { let own = 0; return {get length() { reads++; return own++ ? 2 ** 53 - 1 : 1 }, 0: 7} };
		console.log(AP.indexOf.call(getter(), 7), AP.includes.call(getter(), 7), reads,
			(() => { try { AP.indexOf.call(null, 1) } catch (e) { return e.constructor.name } })(),
			(() => { try { AP.concat.call(undefined) } catch (e) { return e.constructor.name } })());
		const trap = () => { let k = 0; return new Proxy([5], {get(t, p) { return p === 'length' ? (k++ ? 2 ** 32 - 1 : 1) : t[p] }}) };
		console.log(trap().indexOf(5), [].concat(trap()).length, trap().reverse()[0], trap().fill(6)[0], Array.from.call(Object, {length: 2, 1: 'y'}).length,
			Array.from(new Set([1, 2])).join(), Array.from('ab').join(), Array.from({length: 2}, (v, i) => i * 2).join(), Array.from([1, 2], x => x + 1).join(),
			(() => { let n = 0; return Array.from.call(Object, {length: 2 ** 32 - 1, get [Symbol.iterator]() { return n++ ? undefined : function* () {} }}).length })());
		class Sub extends Array {}
		console.log(new Sub(1, 2).concat([3]) instanceof Sub, new Sub(3, 4).indexOf(4), [3, 1, 2].sort() instanceof Array) }`)
	wantOK(t, out)
	want := []string{
		"1 3 true 3 false true -1",
		"1,1,2,3 3,2,1,1 1,2,1,3 4,5,3,4,5",
		`0,1,2,3 3,1,2,1 [[0,3],[1,1],[2,2],[3,1]] 4 4 true values indexOf function`,
		`7 3 1 3 3 6 [1,2,{"0":"z","length":1}]`,
		`1 3 true -1 {"0":"c","2":"a","3":"b","length":4} {"0":"a","1":"b","2":"c","length":4} {"1":"c","3":"c","length":4}`,
		"5 true false 0|p||r|x [\"s\",1] [0,1]",
		"0 true 2 TypeError TypeError",
		"0 1 5 6 2 1,2 a,b 0,2 2,3 0",
		"true 1 true",
	}
	if got := consoleOf(out); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("console\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
