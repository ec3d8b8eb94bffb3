;; Rolling-polynomial byte n-gram hash, bit-exact with the reference (docs/reference.md §4):
;;   h[i] = Σ_{k<g} tok[i-g+1+k] · p^k   (int64, wrapping)      id[i] = h[i] floor-mod vocab
;; Rolled in O(1) per position, exactly in Z/2^64 since p is odd (invertible):
;;   h[i] = (h[i-1] - tok[i-g] + tok[i] · p^g) · p^-1
;; Tokens before the buffer count as 0 (the reference's zero prefix). Positions i in
;; [start, n) are written to out[i - start]; callers pass start >= g-1 context tokens, or 0
;; at the true beginning of the sequence.
;; The floor-mod avoids the 64-bit division (i64.rem_s, the cost per position) when vocab <= 2^21:
;; hi·(2^32 mod V) + lo is then exact in f64 and reduced with a reciprocal and one fix-up.
;; Memory: tok int32[n] at $tok, out int32[n-start] at $out.
;; Compiled to ngram-hash-wasm.ts by scripts/build-wasm.mjs (wabt).
(module
  (memory (export "memory") 1)
  (func (export "hash")
    (param $tok i32) (param $n i32) (param $g i32) (param $pg i64) (param $pinv i64)
    (param $vocab i64) (param $out i32) (param $start i32)
    (local $i i32) (local $h i64) (local $old i64) (local $r i64)
    (local $small i32) (local $x f64) (local $vf f64) (local $inv f64) (local $c32 f64)
    (local.set $vf (f64.convert_i64_s (local.get $vocab)))
    (local.set $inv (f64.div (f64.const 1) (local.get $vf)))
    (local.set $c32 (f64.convert_i64_s (i64.rem_u (i64.const 0x100000000) (local.get $vocab))))
    (local.set $small (i64.le_s (local.get $vocab) (i64.const 0x200000)))
    (block $done
      (loop $positions
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $old (i64.const 0))
        (if (i32.ge_s (local.get $i) (local.get $g))
          (then (local.set $old (i64.extend_i32_s
            (i32.load (i32.add (local.get $tok) (i32.shl (i32.sub (local.get $i) (local.get $g)) (i32.const 2))))))))
        (local.set $h
          (i64.mul
            (i64.add (i64.sub (local.get $h) (local.get $old))
              (i64.mul (local.get $pg)
                (i64.extend_i32_s (i32.load (i32.add (local.get $tok) (i32.shl (local.get $i) (i32.const 2)))))))
            (local.get $pinv)))
        (if (i32.ge_s (local.get $i) (local.get $start))
          (then
            (if (local.get $small)
              (then
                ;; vocab <= 2^21: h = hi·2^32 + lo ≡ hi·(2^32 mod V) + lo (mod V), exact in f64 (< 2^53)
                (local.set $x (f64.add
                  (f64.mul (f64.convert_i32_s (i32.wrap_i64 (i64.shr_s (local.get $h) (i64.const 32)))) (local.get $c32))
                  (f64.convert_i32_u (i32.wrap_i64 (local.get $h)))))
                (local.set $x (f64.sub (local.get $x) (f64.mul (f64.floor (f64.mul (local.get $x) (local.get $inv))) (local.get $vf))))
                (if (f64.lt (local.get $x) (f64.const 0)) (then (local.set $x (f64.add (local.get $x) (local.get $vf)))))
                (if (f64.ge (local.get $x) (local.get $vf)) (then (local.set $x (f64.sub (local.get $x) (local.get $vf)))))
                (local.set $r (i64.extend_i32_u (i32.trunc_sat_f64_u (local.get $x)))))
              (else
                (local.set $r (i64.rem_s (local.get $h) (local.get $vocab)))
                (if (i64.lt_s (local.get $r) (i64.const 0)) (then (local.set $r (i64.add (local.get $r) (local.get $vocab)))))))
            (i32.store
              (i32.add (local.get $out) (i32.shl (i32.sub (local.get $i) (local.get $start)) (i32.const 2)))
              (i32.wrap_i64 (local.get $r)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $positions)))))
