/* specs/examples/counter.yaml, step for step (see bench/README.md, "Promela encodings").
 * Parameters: -DN=.. -DMAX=.. -DLIMIT=..  One process per machine instance; each transition is
 * one d_step whose first statement is its guard; the process loops back to the same control
 * location, so SPIN's stored states are exactly seamcheck's states. The monitor checks the
 * invariants and deadlock (no transition enabled, some instance not terminal) and adds no state:
 * its only steps lead back to the state they start from. */
#ifndef N
#define N 2
#endif
#ifndef MAX
#define MAX 3
#endif
#ifndef LIMIT
#define LIMIT 3
#endif

byte count = 0;

active [N] proctype inc() {
end:  do
      :: d_step { count < MAX -> count = count + 1 }
      od
}

active proctype resetter() {
end:  do
      :: d_step { count == MAX -> assert(count == MAX); count = 0 }   /* reset_only_at_max */
      od
}

active proctype monitor() {
end:  do
      :: d_step { !(count <= LIMIT) -> assert(false) }                  /* below_limit */
      :: d_step { !(count != 2) -> assert(false) }                      /* never_two */
      :: atomic { timeout -> assert(false) }                            /* deadlock: no terminal states */
      od
}
