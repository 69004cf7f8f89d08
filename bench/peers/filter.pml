/* bench/specs/filter_twin.yaml, step for step (conventions: see counter.pml and bench/README.md).
 * Parameters: -DN=2..8. Process p is process p; the monitor checks mutex and deadlock. */
#ifndef N
#define N 3
#endif
#define idle     0
#define announce 1
#define yield    2
#define wait     3
#define crit     4

byte level[N];                    /* Proc -> 0..N-1 */
byte victim[N];                   /* Level -> Proc */
byte pc[N];                       /* p[q].pc */
byte l[N];                        /* p[q].l */

/* all(q == i or level[q] < L for q in Proc), for N <= 8 (C short-circuit: no out-of-range read) */
#define LOW(i, q, L) ((q) >= N || (q) == (i) || level[q] < (L))
#define NONE_AT_OR_ABOVE(i, L) (LOW(i, 0, L) && LOW(i, 1, L) && LOW(i, 2, L) && LOW(i, 3, L) && \
                                LOW(i, 4, L) && LOW(i, 5, L) && LOW(i, 6, L) && LOW(i, 7, L))
#define MAY_PASS(i) (victim[l[i]] != (i) || NONE_AT_OR_ABOVE(i, l[i]))

active [N] proctype p() {
end:  do
      :: d_step { pc[_pid] == idle -> l[_pid] = 1; pc[_pid] = announce }
      :: d_step { pc[_pid] == announce -> level[_pid] = l[_pid]; pc[_pid] = yield }
      :: d_step { pc[_pid] == yield -> victim[l[_pid]] = _pid; pc[_pid] = wait }
      :: d_step { pc[_pid] == wait && l[_pid] < N - 1 && MAY_PASS(_pid) -> l[_pid] = l[_pid] + 1; pc[_pid] = announce }
      :: d_step { pc[_pid] == wait && l[_pid] == N - 1 && MAY_PASS(_pid) -> pc[_pid] = crit }
      :: d_step { pc[_pid] == crit -> level[_pid] = 0; l[_pid] = 0; pc[_pid] = idle }
      od
}

#define IN(q) ((q) < N && pc[q] == crit)
#define IN_CRIT (IN(0) + IN(1) + IN(2) + IN(3) + IN(4) + IN(5) + IN(6) + IN(7))

active proctype monitor() {
end:  do
      :: d_step { IN_CRIT > 1 -> assert(false) }               /* mutex */
      :: atomic { timeout -> assert(false) }                   /* deadlock */
      od
}
