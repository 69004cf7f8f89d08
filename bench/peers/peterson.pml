/* specs/examples/peterson.yaml, step for step (conventions: see counter.pml).
 * Variant: -DMUTANT=0 (peterson), 1 (flag_only), 2 (turn_first). */
#ifndef MUTANT
#define MUTANT 0
#endif
#define NONE_M      0
#define FLAG_ONLY   1
#define TURN_FIRST  2

#define idle 0
#define want 1
#define wait 2
#define crit 3

bool flag[2];
byte turn = 0;
byte pc[2];                       /* proc[p].pc */

active [2] proctype proc() {
end:  do
      :: d_step { pc[_pid] == idle ->
             if :: MUTANT == TURN_FIRST -> turn = 1 - _pid
                :: else -> flag[_pid] = true
             fi;
             pc[_pid] = want }
      :: d_step { pc[_pid] == want ->
             if :: MUTANT != TURN_FIRST -> turn = 1 - _pid
                :: else -> skip
             fi;
             flag[_pid] = true;
             pc[_pid] = wait }
      :: d_step { pc[_pid] == wait && (!flag[1 - _pid] || (turn == _pid && MUTANT != FLAG_ONLY)) ->
             pc[_pid] = crit }
      :: d_step { pc[_pid] == crit -> flag[_pid] = false; pc[_pid] = idle }
      od
}

active proctype monitor() {
end:  do
      :: d_step { pc[0] == crit && pc[1] == crit -> assert(false) }                   /* mutex */
      :: d_step { (pc[0] == wait || pc[0] == crit) && !flag[0] -> assert(false) }    /* flag_up_when_waiting */
      :: d_step { (pc[1] == wait || pc[1] == crit) && !flag[1] -> assert(false) }
      :: atomic { timeout -> assert(false) }                                          /* deadlock */
      od
}
