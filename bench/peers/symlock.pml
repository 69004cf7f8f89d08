/* bench/specs/symlock.yaml, step for step (conventions: see counter.pml). Parameter: -DN=1..12.
 * Process q is p[q]; `none` is 255. SPIN has no symmetry reduction: it always explores the full
 * 6^(N-1) * (6 + 3N) states. */
#ifndef N
#define N 3
#endif
#define NONE 255
#define idle 0
#define want 1
#define crit 2

byte lock = NONE;
byte waiting = 0;
byte pc[N];                       /* p[q].pc */
byte rounds[N];                   /* p[q].rounds */

active [N] proctype p() {
end:  do
      :: d_step { pc[_pid] == idle -> waiting = waiting + 1; pc[_pid] = want }
      :: d_step { pc[_pid] == want && lock == NONE -> lock = _pid; waiting = waiting - 1; pc[_pid] = crit }
      :: d_step { pc[_pid] == crit && lock == _pid -> lock = NONE; rounds[_pid] = (rounds[_pid] + 1) % 3; pc[_pid] = idle }
      od
}

/* all(M(i) for i in 0..K-1) and count(M(i) for i in 0..K-1), for K <= 12 (C short-circuit: no
 * out-of-range index is read) */
#define ALL(K, M) ((0 >= K || M(0)) && (1 >= K || M(1)) && (2 >= K || M(2)) && (3 >= K || M(3)) && \
                   (4 >= K || M(4)) && (5 >= K || M(5)) && (6 >= K || M(6)) && (7 >= K || M(7)) && \
                   (8 >= K || M(8)) && (9 >= K || M(9)) && (10 >= K || M(10)) && (11 >= K || M(11)))
#define C1(K, M, i) ((i < K && M(i)) -> 1 : 0)
#define COUNT(K, M) (C1(K, M, 0) + C1(K, M, 1) + C1(K, M, 2) + C1(K, M, 3) + C1(K, M, 4) + \
                     C1(K, M, 5) + C1(K, M, 6) + C1(K, M, 7) + C1(K, M, 8) + C1(K, M, 9) + \
                     C1(K, M, 10) + C1(K, M, 11))
#define IN_CRIT(q)  (pc[q] == crit)
#define WANTS(q)    (pc[q] == want)
#define OWNS(q)     (pc[q] != crit || lock == q)

active proctype monitor() {
end:  do
      :: d_step { !(COUNT(N, IN_CRIT) <= 1) -> assert(false) }            /* mutex */
      :: d_step { !ALL(N, OWNS) -> assert(false) }                        /* owner */
      :: d_step { !(waiting == COUNT(N, WANTS)) -> assert(false) }        /* waiting_counted */
      :: atomic { timeout -> assert(false) }                              /* deadlock */
      od
}
