;; The dominator pass's depth-first search (dominators.ts) as WebAssembly:
;; the search is a chain of dependent memory reads per node, and the same
;; steps here run 2-3x faster than in JavaScript on the benchmark heaps. It
;; works on the parser's memory (wasm-records.ts), where the graph's columns
;; are, with its own arrays allocated there too (wasm-arena.ts).
;; Built by scripts/build-wasm.mjs into graph.wasm.ts.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; Searches from vertex $start (ordinal + 1) over the essential edges (bit
  ;; e & 31 of word e >>> 5 of $bits), like dfs() in dominators.ts: numbers
  ;; the vertices it reaches from $n + 1 on (dfnOf by vertex, vertex and the
  ;; parent's DFS number by DFS number; $start's parent is $startParent),
  ;; clears the bits of the tree edges it takes, and marks nodes in $seen
  ;; (bit per ordinal). $path has 12 bytes per depth of the search. Returns
  ;; the last DFS number given.
  (func (export "dfs")
    (param $start i32) (param $n i32) (param $firstEdge i32) (param $edgeToNode i32) (param $bits i32)
    (param $seen i32) (param $dfnOf i32) (param $vertex i32) (param $parent i32) (param $path i32) (param $startParent i32)
    (result i32)
    (local $e i32) (local $end i32) (local $target i32) (local $w i32) (local $p i32) (local $word i32) (local $at i32)
    (local.set $target (i32.sub (local.get $start) (i32.const 1)))
    (local.set $at (i32.add (local.get $seen) (i32.shl (i32.shr_u (local.get $target) (i32.const 5)) (i32.const 2))))
    (i32.store (local.get $at)
      (i32.or (i32.load (local.get $at)) (i32.shl (i32.const 1) (i32.and (local.get $target) (i32.const 31)))))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (i32.store (i32.add (local.get $dfnOf) (i32.shl (local.get $start) (i32.const 2))) (local.get $n))
    (i32.store (i32.add (local.get $vertex) (i32.shl (local.get $n) (i32.const 2))) (local.get $start))
    (i32.store (i32.add (local.get $parent) (i32.shl (local.get $n) (i32.const 2))) (local.get $startParent))
    ;; Per depth: the next edge to look at, the end of the node's edges, its DFS number.
    (local.set $p (local.get $path))
    (i32.store (local.get $p) (i32.load (i32.add (local.get $firstEdge) (i32.shl (local.get $target) (i32.const 2)))))
    (i32.store offset=4 (local.get $p) (i32.load (i32.add (local.get $firstEdge) (i32.shl (local.get $start) (i32.const 2)))))
    (i32.store offset=8 (local.get $p) (local.get $n))
    (block $done
      (loop $node
        (local.set $end (i32.load offset=4 (local.get $p)))
        (local.set $e (i32.load (local.get $p)))
        (block $found
          (block $exhausted
            (loop $scan
              (br_if $exhausted (i32.ge_u (local.get $e) (local.get $end)))
              (local.set $word (i32.load (i32.add (local.get $bits) (i32.shl (i32.shr_u (local.get $e) (i32.const 5)) (i32.const 2)))))
              (if (i32.and (i32.shr_u (local.get $word) (i32.and (local.get $e) (i32.const 31))) (i32.const 1))
                (then
                  (local.set $target (i32.load (i32.add (local.get $edgeToNode) (i32.shl (local.get $e) (i32.const 2)))))
                  (br_if $found (i32.eqz (i32.and
                    (i32.shr_u (i32.load (i32.add (local.get $seen) (i32.shl (i32.shr_u (local.get $target) (i32.const 5)) (i32.const 2))))
                               (i32.and (local.get $target) (i32.const 31)))
                    (i32.const 1))))))
              (local.set $e (i32.add (local.get $e) (i32.const 1)))
              (br $scan)))
          ;; Every edge of this node looked at: back up.
          (br_if $done (i32.eq (local.get $p) (local.get $path)))
          (local.set $p (i32.sub (local.get $p) (i32.const 12)))
          (br $node))
        ;; Descend into the first unvisited successor; resume after it later.
        (i32.store (local.get $p) (i32.add (local.get $e) (i32.const 1)))
        (i32.store (i32.add (local.get $bits) (i32.shl (i32.shr_u (local.get $e) (i32.const 5)) (i32.const 2)))
          (i32.and (local.get $word) (i32.xor (i32.const -1) (i32.shl (i32.const 1) (i32.and (local.get $e) (i32.const 31))))))
        (local.set $w (i32.add (local.get $target) (i32.const 1)))
        (local.set $at (i32.add (local.get $seen) (i32.shl (i32.shr_u (local.get $target) (i32.const 5)) (i32.const 2))))
        (i32.store (local.get $at)
          (i32.or (i32.load (local.get $at)) (i32.shl (i32.const 1) (i32.and (local.get $target) (i32.const 31)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (i32.store (i32.add (local.get $dfnOf) (i32.shl (local.get $w) (i32.const 2))) (local.get $n))
        (i32.store (i32.add (local.get $vertex) (i32.shl (local.get $n) (i32.const 2))) (local.get $w))
        (i32.store (i32.add (local.get $parent) (i32.shl (local.get $n) (i32.const 2))) (i32.load offset=8 (local.get $p)))
        (local.set $p (i32.add (local.get $p) (i32.const 12)))
        (i32.store (local.get $p) (i32.load (i32.add (local.get $firstEdge) (i32.shl (local.get $target) (i32.const 2)))))
        (i32.store offset=4 (local.get $p) (i32.load (i32.add (local.get $firstEdge) (i32.shl (local.get $w) (i32.const 2)))))
        (i32.store offset=8 (local.get $p) (local.get $n))
        (br $node)))
    (local.get $n))
)
