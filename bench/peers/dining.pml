/* specs/examples/dining.yaml, step for step (conventions: see counter.pml).
 * Parameters: -DN=2..20, -DORDERED=0 (naive) or 1 (ordered). Philosopher p is process p.
 * `none` is 255. */
#ifndef N
#define N 3
#endif
#ifndef ORDERED
#define ORDERED 0
#endif
#define NONE 255
#define thinking 0
#define one      1
#define eating   2

#define left(p)   ((p) % N)
#define right(p)  (((p) + 1) % N)
#define first(p)  ((ORDERED && (p) == N - 1) -> right(p) : left(p))
#define second(p) ((ORDERED && (p) == N - 1) -> left(p) : right(p))

byte owner[N] = NONE;             /* Fork -> Phil? */
byte pc[N];                       /* phil[p].pc */

active [N] proctype phil() {
end:  do
      :: d_step { pc[_pid] == thinking && owner[first(_pid)] == NONE ->
             owner[first(_pid)] = _pid; pc[_pid] = one }
      :: d_step { pc[_pid] == one && owner[second(_pid)] == NONE ->
             owner[second(_pid)] = _pid; pc[_pid] = eating }
      :: d_step { pc[_pid] == eating ->
             owner[left(_pid)] = NONE; owner[right(_pid)] = NONE; pc[_pid] = thinking }
      od
}

/* all(M(i) for i in 0..K-1), for K <= 20 (C short-circuit: no out-of-range index is read) */
#define ALL6(K, M, B) ((B + 0 >= K || M(B + 0)) && (B + 1 >= K || M(B + 1)) && (B + 2 >= K || M(B + 2)) && \
                       (B + 3 >= K || M(B + 3)) && (B + 4 >= K || M(B + 4)) && (B + 5 >= K || M(B + 5)))
#define ALL(K, M) (ALL6(K, M, 0) && ALL6(K, M, 6) && ALL6(K, M, 12) && \
                   (18 >= K || M(18)) && (19 >= K || M(19)))
#define HOLDS_BOTH(p) (pc[p] != eating || (owner[left(p)] == p && owner[right(p)] == p))
#define NOT_BOTH(p)   (!(pc[p] == eating && pc[right(p)] == eating))

active proctype monitor() {
end:  do
      :: d_step { !ALL(N, HOLDS_BOTH) -> assert(false) }       /* forks_held_by_users */
      :: d_step { !ALL(N, NOT_BOTH) -> assert(false) }         /* neighbours_never_eat_together */
      :: atomic { timeout -> assert(false) }                   /* deadlock */
      od
}
