;; The parser's hot loops for the numeric sections in the shape V8 writes them
;; (one record per line: "a,b,c\n,d,e,f\n,..."), as WebAssembly: about twice
;; the speed of the same loops in JavaScript on the benchmark files. They are
;; fast paths only: each one stops at the first record that is not plain
;; (a value out of range, more than 10 digits, any other byte, the end of the
;; input) and the JavaScript loops take over from there, so every error is
;; still found and reported by parser.ts / parser-edge-tail.ts.
;;
;; The memory is the parser's (wasm-records.ts): the snapshot's columns live
;; in it, so the kernels write each record straight to its slot, and the
;; threads that parse share it. The caller puts the input in it with a 0 byte
;; after it (the digit loops stop there) and passes the columns' offsets.
;; Built by scripts/build-wasm.mjs into records.wasm.ts.
(module
  (import "env" "memory" (memory 1 65536 shared))
  ;; Where the last call stopped: the input offset to resume at, and whether
  ;; that is right after a record whose separator is unread (1) or at the
  ;; start of a record (0).
  (global $pos (export "pos") (mut i32) (i32.const 0))
  (global $after (export "after") (mut i32) (i32.const 0))
  ;; The largest name seen (edges: of types other than element and hidden), -1 for none.
  (global $maxName (export "maxName") (mut f64) (f64.const -1))
  ;; Nodes: the running sum of edge counts.
  (global $edgeSum (export "edgeSum") (mut f64) (f64.const 0))

  ;; Edges "type,name_or_index,to_node" forwards from $i (a record's start) to
  ;; $end, at most $max records. Targets are node ordinals (to_node / $nf) and
  ;; must be below $nodeCount. Returns the number of records written.
  (func (export "edgesForward")
    (param $i i32) (param $end i32) (param $max i32)
    (param $outType i32) (param $outName i32) (param $outTo i32) (param $record i32)
    (param $typeCount i32) (param $nf i32) (param $nodeCount i32) (param $element i32) (param $hidden i32)
    (result i32)
    (local $k i32) (local $d i32) (local $start i32) (local $digits i32) (local $slot i32)
    (local $type i64) (local $name i64) (local $to i64) (local $target i64)
    (local $perNode f64) (local $maxName f64)
    (local.set $perNode (f64.div (f64.const 1) (f64.convert_i32_u (local.get $nf))))
    (local.set $maxName (global.get $maxName))
    (global.set $after (i32.const 0))
    (block $stop
      (loop $record
        (local.set $start (local.get $i))
        (br_if $stop (i32.ge_u (local.get $k) (local.get $max)))
        (br_if $stop (i32.ge_u (local.get $i) (local.get $end)))
        ;; type
        (local.set $d (i32.sub (i32.load8_u (local.get $i)) (i32.const 48)))
        (br_if $stop (i32.ge_u (local.get $d) (i32.const 10)))
        (local.set $type (i64.extend_i32_u (local.get $d)))
        (local.set $digits (local.get $i))
        (block $b (loop $l
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (local.set $d (i32.sub (i32.load8_u (local.get $i)) (i32.const 48)))
          (br_if $b (i32.ge_u (local.get $d) (i32.const 10)))
          (local.set $type (i64.add (i64.mul (local.get $type) (i64.const 10)) (i64.extend_i32_u (local.get $d))))
          (br $l)))
        (br_if $stop (i32.gt_u (i32.sub (local.get $i) (local.get $digits)) (i32.const 10)))
        (br_if $stop (i32.ne (local.get $d) (i32.const -4)))
        ;; name_or_index
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $d (i32.sub (i32.load8_u (local.get $i)) (i32.const 48)))
        (br_if $stop (i32.ge_u (local.get $d) (i32.const 10)))
        (local.set $name (i64.extend_i32_u (local.get $d)))
        (local.set $digits (local.get $i))
        (block $b (loop $l
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (local.set $d (i32.sub (i32.load8_u (local.get $i)) (i32.const 48)))
          (br_if $b (i32.ge_u (local.get $d) (i32.const 10)))
          (local.set $name (i64.add (i64.mul (local.get $name) (i64.const 10)) (i64.extend_i32_u (local.get $d))))
          (br $l)))
        (br_if $stop (i32.gt_u (i32.sub (local.get $i) (local.get $digits)) (i32.const 10)))
        (br_if $stop (i32.ne (local.get $d) (i32.const -4)))
        ;; to_node
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $d (i32.sub (i32.load8_u (local.get $i)) (i32.const 48)))
        (br_if $stop (i32.ge_u (local.get $d) (i32.const 10)))
        (local.set $to (i64.extend_i32_u (local.get $d)))
        (local.set $digits (local.get $i))
        (block $b (loop $l
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (local.set $d (i32.sub (i32.load8_u (local.get $i)) (i32.const 48)))
          (br_if $b (i32.ge_u (local.get $d) (i32.const 10)))
          (local.set $to (i64.add (i64.mul (local.get $to) (i64.const 10)) (i64.extend_i32_u (local.get $d))))
          (br $l)))
        (br_if $stop (i32.gt_u (i32.sub (local.get $i) (local.get $digits)) (i32.const 10)))
        ;; A record that reaches $end may go on in the next piece of input.
        (br_if $stop (i32.ge_u (local.get $i) (local.get $end)))
        (br_if $stop (i64.ge_u (local.get $type) (i64.extend_i32_u (local.get $typeCount))))
        (br_if $stop (i64.gt_u (local.get $name) (i64.const 0xffffffff)))
        ;; A multiplication instead of a division; the product check is exact.
        (local.set $target (i64.trunc_f64_u (f64.add (f64.mul (f64.convert_i64_u (local.get $to)) (local.get $perNode)) (f64.const 0.5))))
        (br_if $stop (i64.ne (i64.mul (local.get $target) (i64.extend_i32_u (local.get $nf))) (local.get $to)))
        (br_if $stop (i64.ge_u (local.get $target) (i64.extend_i32_u (local.get $nodeCount))))
        (local.set $slot (i32.add (local.get $record) (local.get $k)))
        (i32.store8 (i32.add (local.get $outType) (local.get $slot)) (i32.wrap_i64 (local.get $type)))
        (i32.store (i32.add (local.get $outName) (i32.shl (local.get $slot) (i32.const 2))) (i32.wrap_i64 (local.get $name)))
        (i32.store (i32.add (local.get $outTo) (i32.shl (local.get $slot) (i32.const 2))) (i32.wrap_i64 (local.get $target)))
        (if (i32.and
              (i32.and (i32.ne (i32.wrap_i64 (local.get $type)) (local.get $element)) (i32.ne (i32.wrap_i64 (local.get $type)) (local.get $hidden)))
              (f64.gt (f64.convert_i64_u (local.get $name)) (local.get $maxName)))
          (then (local.set $maxName (f64.convert_i64_u (local.get $name)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        ;; The separator: "\n," or ",", with the next record starting before $end.
        (if (i32.eq (local.get $d) (i32.const -38))
          (then
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (local.set $d (i32.sub (i32.load8_u (local.get $i)) (i32.const 48)))))
        (if (i32.or (i32.ne (local.get $d) (i32.const -4)) (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $end)))
          (then
            (local.set $start (local.get $i))
            (global.set $after (i32.const 1))
            (br $stop)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $record)))
    (global.set $pos (local.get $start))
    (global.set $maxName (local.get $maxName))
    (local.get $k))

  ;; Edges backwards, for the thread that parses the section's tail
  ;; (parser-edge-tail.ts): from $i, the newline that ends a record, down to
  ;; $first, each record ",type,name_or_index,to_node\n" preceded by the
  ;; newline of the one before. Writes the k-th record from the end at slot
  ;; $record - 1 - k, at most $max records. $pos is the newline where it stopped.
  (func (export "edgesBackward")
    (param $i i32) (param $first i32) (param $max i32)
    (param $outType i32) (param $outName i32) (param $outTo i32) (param $record i32)
    (param $typeCount i32) (param $nf i32) (param $nodeCount i32) (param $element i32) (param $hidden i32)
    (result i32)
    (local $k i32) (local $d i32) (local $start i32) (local $slot i32) (local $digits i32)
    (local $type i64) (local $name i64) (local $to i64) (local $target i64) (local $scale i64)
    (local $perNode f64) (local $maxName f64)
    (local.set $perNode (f64.div (f64.const 1) (f64.convert_i32_u (local.get $nf))))
    (local.set $maxName (global.get $maxName))
    (block $stop
      (loop $record
        (local.set $start (local.get $i))
        (br_if $stop (i32.le_u (local.get $i) (local.get $first)))
        (br_if $stop (i32.ge_u (local.get $k) (local.get $max)))
        ;; to_node, digits right to left
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (local.set $d (i32.sub (i32.load8_u (local.get $i)) (i32.const 48)))
        (br_if $stop (i32.ge_u (local.get $d) (i32.const 10)))
        (local.set $to (i64.extend_i32_u (local.get $d)))
        (local.set $scale (i64.const 10))
        (local.set $digits (local.get $i))
        (block $b (loop $l
          (local.set $i (i32.sub (local.get $i) (i32.const 1)))
          (local.set $d (i32.sub (i32.load8_u (local.get $i)) (i32.const 48)))
          (br_if $b (i32.ge_u (local.get $d) (i32.const 10)))
          (br_if $stop (i32.ge_u (i32.sub (local.get $digits) (local.get $i)) (i32.const 10)))
          (local.set $to (i64.add (local.get $to) (i64.mul (i64.extend_i32_u (local.get $d)) (local.get $scale))))
          (local.set $scale (i64.mul (local.get $scale) (i64.const 10)))
          (br $l)))
        (br_if $stop (i32.ne (local.get $d) (i32.const -4)))
        ;; name_or_index
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (local.set $d (i32.sub (i32.load8_u (local.get $i)) (i32.const 48)))
        (br_if $stop (i32.ge_u (local.get $d) (i32.const 10)))
        (local.set $name (i64.extend_i32_u (local.get $d)))
        (local.set $scale (i64.const 10))
        (local.set $digits (local.get $i))
        (block $b (loop $l
          (local.set $i (i32.sub (local.get $i) (i32.const 1)))
          (local.set $d (i32.sub (i32.load8_u (local.get $i)) (i32.const 48)))
          (br_if $b (i32.ge_u (local.get $d) (i32.const 10)))
          (br_if $stop (i32.ge_u (i32.sub (local.get $digits) (local.get $i)) (i32.const 10)))
          (local.set $name (i64.add (local.get $name) (i64.mul (i64.extend_i32_u (local.get $d)) (local.get $scale))))
          (local.set $scale (i64.mul (local.get $scale) (i64.const 10)))
          (br $l)))
        (br_if $stop (i32.ne (local.get $d) (i32.const -4)))
        ;; type
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (local.set $d (i32.sub (i32.load8_u (local.get $i)) (i32.const 48)))
        (br_if $stop (i32.ge_u (local.get $d) (i32.const 10)))
        (local.set $type (i64.extend_i32_u (local.get $d)))
        (local.set $scale (i64.const 10))
        (local.set $digits (local.get $i))
        (block $b (loop $l
          (local.set $i (i32.sub (local.get $i) (i32.const 1)))
          (local.set $d (i32.sub (i32.load8_u (local.get $i)) (i32.const 48)))
          (br_if $b (i32.ge_u (local.get $d) (i32.const 10)))
          (br_if $stop (i32.ge_u (i32.sub (local.get $digits) (local.get $i)) (i32.const 10)))
          (local.set $type (i64.add (local.get $type) (i64.mul (i64.extend_i32_u (local.get $d)) (local.get $scale))))
          (local.set $scale (i64.mul (local.get $scale) (i64.const 10)))
          (br $l)))
        (br_if $stop (i32.ne (local.get $d) (i32.const -4)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (br_if $stop (i32.ne (i32.load8_u (local.get $i)) (i32.const 10)))
        (br_if $stop (i64.ge_u (local.get $type) (i64.extend_i32_u (local.get $typeCount))))
        (br_if $stop (i64.gt_u (local.get $name) (i64.const 0xffffffff)))
        (local.set $target (i64.trunc_f64_u (f64.add (f64.mul (f64.convert_i64_u (local.get $to)) (local.get $perNode)) (f64.const 0.5))))
        (br_if $stop (i64.ne (i64.mul (local.get $target) (i64.extend_i32_u (local.get $nf))) (local.get $to)))
        (br_if $stop (i64.ge_u (local.get $target) (i64.extend_i32_u (local.get $nodeCount))))
        (local.set $slot (i32.sub (i32.sub (local.get $record) (i32.const 1)) (local.get $k)))
        (i32.store8 (i32.add (local.get $outType) (local.get $slot)) (i32.wrap_i64 (local.get $type)))
        (i32.store (i32.add (local.get $outName) (i32.shl (local.get $slot) (i32.const 2))) (i32.wrap_i64 (local.get $name)))
        (i32.store (i32.add (local.get $outTo) (i32.shl (local.get $slot) (i32.const 2))) (i32.wrap_i64 (local.get $target)))
        (if (i32.and
              (i32.and (i32.ne (i32.wrap_i64 (local.get $type)) (local.get $element)) (i32.ne (i32.wrap_i64 (local.get $type)) (local.get $hidden)))
              (f64.gt (f64.convert_i64_u (local.get $name)) (local.get $maxName)))
          (then (local.set $maxName (f64.convert_i64_u (local.get $name)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $record)))
    (global.set $pos (local.get $start))
    (global.set $maxName (local.get $maxName))
    (local.get $k))

  ;; Nodes in the layout V8 has written since Node 18: type, name, id,
  ;; self_size, edge_count, trace_node_id, detachedness. Forwards like
  ;; edgesForward. Columns: type and detachedness 1 byte each, the others 4;
  ;; the first-edge column gets the running sum of edge counts ($edgeSum);
  ;; trace ids and detachedness are stored only when not 0.
  (func (export "nodes7")
    (param $i i32) (param $end i32) (param $max i32)
    (param $outType i32) (param $outName i32) (param $outId i32) (param $outSize i32) (param $outFirst i32)
    (param $outTrace i32) (param $outDetached i32) (param $typeCount i32) (param $record i32)
    (result i32)
    (local $k i32) (local $d i32) (local $start i32) (local $f i32) (local $digits i32) (local $v i64) (local $slot i32)
    (local $type i64) (local $name i64) (local $id i64) (local $size i64) (local $edges i64) (local $trace i64)
    (local $maxName f64) (local $edgeSum i64)
    (local.set $maxName (global.get $maxName))
    (local.set $edgeSum (i64.trunc_f64_u (global.get $edgeSum)))
    (global.set $after (i32.const 0))
    (block $stop
      (loop $record
        (local.set $start (local.get $i))
        (br_if $stop (i32.ge_u (local.get $k) (local.get $max)))
        (br_if $stop (i32.ge_u (local.get $i) (local.get $end)))
        ;; Seven numbers; field $f's value ends up in its local below.
        (local.set $f (i32.const 0))
        (loop $field
          (local.set $d (i32.sub (i32.load8_u (local.get $i)) (i32.const 48)))
          (br_if $stop (i32.ge_u (local.get $d) (i32.const 10)))
          (local.set $v (i64.extend_i32_u (local.get $d)))
          (local.set $digits (local.get $i))
          (block $b (loop $l
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (local.set $d (i32.sub (i32.load8_u (local.get $i)) (i32.const 48)))
            (br_if $b (i32.ge_u (local.get $d) (i32.const 10)))
            (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 10)) (i64.extend_i32_u (local.get $d))))
            (br $l)))
          (br_if $stop (i32.gt_u (i32.sub (local.get $i) (local.get $digits)) (i32.const 10)))
          ;; Every value but the last must fit 32 bits (self_size too: a bigger one widens the column, in JS).
          (br_if $stop (i64.gt_u (local.get $v) (i64.const 0xffffffff)))
          (block $set
            (if (i32.eq (local.get $f) (i32.const 0)) (then (local.set $type (local.get $v)) (br $set)))
            (if (i32.eq (local.get $f) (i32.const 1)) (then (local.set $name (local.get $v)) (br $set)))
            (if (i32.eq (local.get $f) (i32.const 2)) (then (local.set $id (local.get $v)) (br $set)))
            (if (i32.eq (local.get $f) (i32.const 3)) (then (local.set $size (local.get $v)) (br $set)))
            (if (i32.eq (local.get $f) (i32.const 4)) (then (local.set $edges (local.get $v)) (br $set)))
            (if (i32.eq (local.get $f) (i32.const 5)) (then (local.set $trace (local.get $v)))))
          (local.set $f (i32.add (local.get $f) (i32.const 1)))
          (if (i32.lt_u (local.get $f) (i32.const 7))
            (then
              (br_if $stop (i32.ne (local.get $d) (i32.const -4)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $field))))
        ;; $v is the detachedness (field 6).
        (br_if $stop (i32.ge_u (local.get $i) (local.get $end)))
        (br_if $stop (i64.ge_u (local.get $type) (i64.extend_i32_u (local.get $typeCount))))
        (br_if $stop (i64.gt_u (local.get $v) (i64.const 255)))
        (local.set $slot (i32.add (local.get $record) (local.get $k)))
        (i32.store8 (i32.add (local.get $outType) (local.get $slot)) (i32.wrap_i64 (local.get $type)))
        (i32.store (i32.add (local.get $outName) (i32.shl (local.get $slot) (i32.const 2))) (i32.wrap_i64 (local.get $name)))
        (i32.store (i32.add (local.get $outId) (i32.shl (local.get $slot) (i32.const 2))) (i32.wrap_i64 (local.get $id)))
        (i32.store (i32.add (local.get $outSize) (i32.shl (local.get $slot) (i32.const 2))) (i32.wrap_i64 (local.get $size)))
        (i32.store (i32.add (local.get $outFirst) (i32.shl (local.get $slot) (i32.const 2))) (i32.wrap_i64 (local.get $edgeSum)))
        ;; Almost always 0: skipping the store leaves those pages untouched (not in RSS).
        (if (i64.ne (local.get $trace) (i64.const 0))
          (then (i32.store (i32.add (local.get $outTrace) (i32.shl (local.get $slot) (i32.const 2))) (i32.wrap_i64 (local.get $trace)))))
        (if (i64.ne (local.get $v) (i64.const 0))
          (then (i32.store8 (i32.add (local.get $outDetached) (local.get $slot)) (i32.wrap_i64 (local.get $v)))))
        (if (f64.gt (f64.convert_i64_u (local.get $name)) (local.get $maxName))
          (then (local.set $maxName (f64.convert_i64_u (local.get $name)))))
        (local.set $edgeSum (i64.add (local.get $edgeSum) (local.get $edges)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (if (i32.eq (local.get $d) (i32.const -38))
          (then
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (local.set $d (i32.sub (i32.load8_u (local.get $i)) (i32.const 48)))))
        (if (i32.or (i32.ne (local.get $d) (i32.const -4)) (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $end)))
          (then
            (local.set $start (local.get $i))
            (global.set $after (i32.const 1))
            (br $stop)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $record)))
    (global.set $pos (local.get $start))
    (global.set $maxName (local.get $maxName))
    (global.set $edgeSum (f64.convert_i64_u (local.get $edgeSum)))
    (local.get $k))
)
