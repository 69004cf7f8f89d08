/* specs/examples/spinlock.yaml, step for step (conventions: see counter.pml). The variants
 * differ only in fairness, which changes no state; the liveness property is not encoded. */
#define idle   0
#define trying 1
#define crit   2

bool lock = false;
byte pc[2];                       /* proc[p].pc */

active [2] proctype proc() {
end:  do
      :: d_step { pc[_pid] == idle -> pc[_pid] = trying }
      :: d_step { pc[_pid] == trying && !lock -> lock = true; pc[_pid] = crit }
      :: d_step { pc[_pid] == crit -> lock = false; pc[_pid] = idle }
      od
}

active proctype monitor() {
end:  do
      :: d_step { pc[0] == crit && pc[1] == crit -> assert(false) }     /* mutex */
      :: atomic { timeout -> assert(false) }                            /* deadlock */
      od
}
