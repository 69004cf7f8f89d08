/* specs/examples/retry.yaml, step for step (conventions: see counter.pml). Variant:
 * -DCAN_QUIT=0 (fair, unfair) or 1 (quitter); fairness changes no state, and the liveness
 * properties are not encoded: SPIN here explores the same states and checks deadlock. */
#ifndef CAN_QUIT
#define CAN_QUIT 0
#endif
#define looping  0
#define done     1
#define working  0
#define finished 1
#define quit     2

bool ready = false;
byte tries = 0;
byte releaser_pc = looping;
byte helper_pc = working;

active proctype releaser() {
end:  do
      :: d_step { releaser_pc == looping && !ready -> tries = 1 - tries }
      :: d_step { releaser_pc == looping && ready -> releaser_pc = done }
      od
}

active proctype helper() {
end:  do
      :: d_step { helper_pc == working -> ready = true; helper_pc = finished }
      :: d_step { CAN_QUIT && helper_pc == working -> helper_pc = quit }
      od
}

active proctype monitor() {
end:  do
      :: atomic { timeout && !(releaser_pc == done && helper_pc != working) -> assert(false) } /* deadlock */
      od
}
