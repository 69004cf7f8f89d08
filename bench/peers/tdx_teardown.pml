/* specs/tdx/teardown.yaml, step for step (conventions: see counter.pml), every design.
 *
 * Parameters: -DV=1..6 (vCPUs), -DP=2..4 (LPs), -DK=1..2 (packages), -DDESIGN=0 (v6_16), 1 (v19),
 * 2 (normal_way), 3 (terminate_vm), 4 (mainline: the spec never tests for it, so it is v6_16's
 * graph), and the 0/1 switches -DATOMIC_INIT, -DSKIP_MIGRATION_FLUSH, -DV19_NO_FREE_DISASSOCIATE,
 * -DFIX_F1, -DF1_FLAG_AT_CREATE, -DFIX_F3, -DHOTPLUG (default 1).
 *
 * The topology is the spec's rigid map pkg_of (`init: any`, `initially:` every package has an
 * LP), stored as pkg_x[p] = pkg_of[p] XOR (p % K) so that the all-zero start is the surjection
 * p % K; the steps `pick` move between the allowed maps while vm is at td_create, where nothing
 * else has happened yet, so every state they reach is one of the spec's initial states and SPIN
 * stores exactly the spec's states.
 *
 * Encoding: one process per machine instance (vcpu[v] is process v, then vm, cpuhp, td, and the
 * property monitor); every variable global; `none` is 255. A transition with parameters is one
 * d_step per parameter value (the FOR_* macros below). A SEAMCALL's status is computed on the
 * pre-state into the scratch variable `res` (one TDX_* code per distinct check failure); the
 * operation's effect applies only on SUCCESS; effects that read a variable written earlier in
 * the same step read it before it is written, as in the spec's simultaneous assignment. The
 * scratch variables are 0 again at the end of every step, so they never tell two states apart.
 * Invariants and deadlock are checked by the monitor, step properties by an assert in the step.
 */
#ifndef V
#define V 2
#endif
#ifndef P
#define P 2
#endif
#ifndef K
#define K 2
#endif
#ifndef DESIGN
#define DESIGN 0
#endif
#ifndef ATOMIC_INIT
#define ATOMIC_INIT 0
#endif
#ifndef SKIP_MIGRATION_FLUSH
#define SKIP_MIGRATION_FLUSH 0
#endif
#ifndef V19_NO_FREE_DISASSOCIATE
#define V19_NO_FREE_DISASSOCIATE 0
#endif
#ifndef FIX_F1
#define FIX_F1 0
#endif
#ifndef F1_FLAG_AT_CREATE
#define F1_FLAG_AT_CREATE 0
#endif
#ifndef FIX_F3
#define FIX_F3 0
#endif
#ifndef HOTPLUG
#define HOTPLUG 1
#endif
#if V > 6 || P > 4 || K > 2
#error "this encoding enumerates at most 6 vCPUs, 4 LPs and 2 packages"
#endif

#define V6_16 0
#define V19 1
#define NORMAL_WAY 2
#define TERMINATE_VM 3
#define NONE 255

/* Life, VpState */
#define TD_NONE 0
#define TD_HKID_ASSIGNED 1
#define TD_KEYS_CONFIGURED 2
#define TD_BLOCKED 3
#define TD_TEARDOWN 4
#define TD_RECLAIMED 5
#define VP_NONE 0
#define VP_CREATED 1
#define VP_UNINIT 2
#define VP_READY 3
#define VP_RECLAIMED 4

/* statuses (only equality with these matters) */
#define SUCCESS 0
#define E_HKID_NOT_FREE 1
#define E_LIFECYCLE 2
#define E_KEY_CONFIGURED 3
#define E_KEYS_NOT_CONFIGURED 4
#define E_VCPU_STATE 5
#define E_VCPU_ASSOCIATED 6
#define E_VCPU_NOT_ASSOCIATED 7
#define E_FLUSHVP_NOT_DONE 8
#define E_NO_HKID_READY 9
#define E_WBCACHE_NOT_COMPLETE 10
#define E_PAGES_EXIST 11
#define E_TDCX_NUM_INCORRECT 12

/* machine states */
#define td_create 0
#define td_keyconfig 1
#define td_inited 2
#define td_runnable 3
#define unborn 0
#define user 1
#define init_addcx 2
#define init_vpinit 3
#define init_wr 4
#define init_mark 5
#define in_run 6
#define fd_closed 7
#define hp_idle 0
#define hp_flushing 1
#define alive 0
#define rel_flush 1
#define rel_vpflushdone 2
#define rel_wb 3
#define rel_freeid 4
#define wait_refs 5
#define reload 6
#define reload_put 7
#define free_vcpus 8
#define vm_destroy 9
#define done 10
#define leaked 11

/* ---- module (truth) ---- */
byte life = TD_NONE;
bool keycfg[K];
bool op_init;
bool wbpend[K];
byte mstate[V];
byte assoc[V] = NONE;
/* ---- KVM (belief) ---- */
bool khkid;
byte kcpu[V] = NONE;
byte onlist[V] = NONE;
bool kinit[V];
bool kflush[V];                   /* fix F1's VP.FLUSH-needed flag */
bool leak_reported;               /* fix F3 */
bool freed[V];
bool vm_dead;
bool mm_gone;
bool vmfd_open = true;
/* ---- platform ---- */
bool pkg_x[P];                    /* pkg_of[p] == pkg_x[p] XOR (p % K) (see the header) */
bool online[P] = true;
byte hp_cpu = NONE;
/* ---- control states and td's loop bookkeeping ---- */
byte vcpu_pc[V];                  /* unborn (0) */
byte vm_pc = td_create;
byte cpuhp_pc = hp_idle;
byte td_pc = alive;
bool tdone[V];                    /* td: vCPUs the current kvm_for_each_vcpu loop has visited */
bool wbdone[K];                   /* td: packages the current cache write-back has visited */
byte cur = NONE;                  /* td: the vCPU the v19 reload has loaded */

/* ---- enumerations: M(x) for x < V, P or K (C short-circuit keeps indexes in range) ---- */
#define ALL_V(M) ((0 >= V || M(0)) && (1 >= V || M(1)) && (2 >= V || M(2)) && \
                  (3 >= V || M(3)) && (4 >= V || M(4)) && (5 >= V || M(5)))
#define ANY_P(M) ((0 < P && M(0)) || (1 < P && M(1)) || (2 < P && M(2)) || (3 < P && M(3)))
#define ALL_K(M) ((0 >= K || M(0)) && (1 >= K || M(1)))
#define C1(i, M, n) ((i < n && M(i)) -> 1 : 0)
#define COUNT_V(M) (C1(0, M, V) + C1(1, M, V) + C1(2, M, V) + C1(3, M, V) + C1(4, M, V) + C1(5, M, V))

#if P > 2
#define LP2(X) X
#else
#define LP2(X)
#endif
#if P > 3
#define LP3(X) X
#else
#define LP3(X)
#endif
#if K > 1
#define PK1(X) X
#else
#define PK1(X)
#endif
#if V > 1
#define VC1(X) X
#else
#define VC1(X)
#endif
#if V > 2
#define VC2(X) X
#else
#define VC2(X)
#endif
#if V > 3
#define VC3(X) X
#else
#define VC3(X)
#endif
#if V > 4
#define VC4(X) X
#else
#define VC4(X)
#endif
#if V > 5
#define VC5(X) X
#else
#define VC5(X)
#endif
#define FOR_LP(M)      M(0) M(1) LP2(M(2)) LP3(M(3))
#define FOR_V(M)       M(0) VC1(M(1)) VC2(M(2)) VC3(M(3)) VC4(M(4)) VC5(M(5))
#define FOR_PK(M)      M(0) PK1(M(1))
#define LP_ROW(M, a)   M(a, 0) M(a, 1) LP2(M(a, 2)) LP3(M(a, 3))
#define FOR_LP_LP(M)   LP_ROW(M, 0) LP_ROW(M, 1) LP2(LP_ROW(M, 2)) LP3(LP_ROW(M, 3))

/* ---- defs ---- */
#define pkg(p) (pkg_x[p] ^ ((p) % K))
#define ASSOCD(v) (assoc[v] != NONE)
#define nassoc COUNT_V(ASSOCD)
#define loaded(w) (vcpu_pc[w] == init_addcx || vcpu_pc[w] == init_vpinit || vcpu_pc[w] == init_wr || \
                   vcpu_pc[w] == init_mark || vcpu_pc[w] == in_run)
#define NOT_LOADED(w) (!loaded(w))
#define no_ioctl ALL_V(NOT_LOADED)
#define FD_CLOSED(v) (vcpu_pc[v] == fd_closed)
#define refs_zero (!vmfd_open && ALL_V(FD_CLOSED))
#define in_release (td_pc == rel_flush || td_pc == rel_vpflushdone || td_pc == rel_wb || td_pc == rel_freeid)
#define BORN(v) (vcpu_pc[v] != unborn)
#define vm_up ((vm_pc == td_inited || vm_pc == td_runnable) && ALL_V(BORN))
#define fneed(w) (FIX_F1 -> kflush[w] : kinit[w])
#define ipi_ok(w) (hp_cpu == NONE || kcpu[w] == NONE || kcpu[w] != hp_cpu)

/* ---- operations: the status on the pre-state (checks in order) ---- */
#define RES_MNG_CREATE (life != TD_NONE -> E_HKID_NOT_FREE : SUCCESS)
#define RES_KEY_CONFIG(k) (life != TD_HKID_ASSIGNED -> E_LIFECYCLE : (keycfg[k] -> E_KEY_CONFIGURED : SUCCESS))
#define RES_MNG_INIT (life != TD_KEYS_CONFIGURED -> E_KEYS_NOT_CONFIGURED : SUCCESS)
#define RES_VP_CREATE (life != TD_KEYS_CONFIGURED -> E_KEYS_NOT_CONFIGURED : SUCCESS)
#define RES_VP_ADDCX(v) (life != TD_KEYS_CONFIGURED -> E_KEYS_NOT_CONFIGURED : \
                         (mstate[v] != VP_CREATED -> E_VCPU_STATE : SUCCESS))
#define RES_VP_INIT(v) (life != TD_KEYS_CONFIGURED -> E_KEYS_NOT_CONFIGURED : \
                        (mstate[v] != VP_UNINIT -> E_VCPU_STATE : SUCCESS))
#define RES_VP_ENTER(v, lp) (life != TD_KEYS_CONFIGURED -> E_KEYS_NOT_CONFIGURED : \
                             (mstate[v] != VP_READY -> E_VCPU_STATE : \
                              ((assoc[v] == NONE || assoc[v] == lp) -> SUCCESS : E_VCPU_ASSOCIATED)))
#define RES_VP_FLUSH(v, lp) (life != TD_KEYS_CONFIGURED -> E_KEYS_NOT_CONFIGURED : \
                             (mstate[v] == VP_CREATED -> E_TDCX_NUM_INCORRECT : \
                              (assoc[v] == lp -> SUCCESS : E_VCPU_NOT_ASSOCIATED)))
#define RES_VPFLUSHDONE ((life == TD_KEYS_CONFIGURED || life == TD_HKID_ASSIGNED) -> \
                         ((!op_init || nassoc == 0) -> SUCCESS : E_FLUSHVP_NOT_DONE) : E_LIFECYCLE)
#define RES_CACHE_WB (life != TD_BLOCKED -> E_NO_HKID_READY : SUCCESS)
#define NOT_WBPEND(k) (!wbpend[k])
#define RES_FREEID (life != TD_BLOCKED -> E_LIFECYCLE : (ALL_K(NOT_WBPEND) -> SUCCESS : E_WBCACHE_NOT_COMPLETE))
#define RES_PAGE_RECLAIM (life != TD_TEARDOWN -> E_LIFECYCLE : SUCCESS)
#define VP_GONE(v) (mstate[v] == VP_NONE || mstate[v] == VP_RECLAIMED)
#define RES_TDR_RECLAIM (life != TD_TEARDOWN -> E_LIFECYCLE : (ALL_V(VP_GONE) -> SUCCESS : E_PAGES_EXIST))

/* ---- step properties (asserted on the pre-state of the steps they name) ---- */
#define S5_OK assert(life == TD_HKID_ASSIGNED || life == TD_KEYS_CONFIGURED)
#define S3_OK assert(res != E_VCPU_ASSOCIATED)
#define S4_FLUSH_OK(v, lp) assert(assoc[v] == NONE || assoc[v] == lp)
#define FLUSH_OK assert(res == SUCCESS || res == E_VCPU_NOT_ASSOCIATED)                  /* flush_ok */
#define FLUSH_BUG (DESIGN != V19 && res != SUCCESS && res != E_VCPU_NOT_ASSOCIATED)
#define MIGRATING_NOCALL ((vcpu_pc[self] == init_wr || vcpu_pc[self] == init_mark || vcpu_pc[self] == in_run) && \
                          (vcpu_pc[self] == in_run || !ATOMIC_INIT))
#define MIGRATING_FLUSH ((vcpu_pc[self] == init_addcx || vcpu_pc[self] == init_vpinit || vcpu_pc[self] == init_wr || \
                          vcpu_pc[self] == init_mark || vcpu_pc[self] == in_run) && \
                         (vcpu_pc[self] == in_run || vcpu_pc[self] == init_addcx || vcpu_pc[self] == init_vpinit || \
                          !ATOMIC_INIT))

/* =========================================================================================== */
#define self _pid

#define CREATE(p) \
    :: d_step { vcpu_pc[self] == unborn && vm_pc == td_inited && online[p] -> \
         onlist[self] = p; kcpu[self] = p; vcpu_pc[self] = user }
#define INIT_IOCTL(p) \
    :: d_step { vcpu_pc[self] == user && !vm_dead && !mm_gone && online[p] && hp_cpu != p && ipi_ok(self) && \
                vm_up && vm_pc == td_inited && khkid && !kinit[self] -> \
         res = RES_VP_CREATE; S5_OK; \
         mstate[self] = (res == SUCCESS -> VP_CREATED : mstate[self]); \
         onlist[self] = (kcpu[self] != p -> p : onlist[self]); kcpu[self] = p; \
         vm_dead = vm_dead || res != SUCCESS; \
         kflush[self] = kflush[self] || (F1_FLAG_AT_CREATE && res == SUCCESS); \
         vcpu_pc[self] = (res == SUCCESS -> init_addcx : user); res = 0 }
#define RUN_IOCTL(p) \
    :: d_step { vcpu_pc[self] == user && !vm_dead && !mm_gone && online[p] && hp_cpu != p && \
                (kcpu[self] == p || kcpu[self] == NONE) && vm_pc == td_runnable && kinit[self] -> \
         onlist[self] = p; kcpu[self] = p; vcpu_pc[self] = in_run }
#define MIGRATE_NOCALL(q) \
    :: d_step { MIGRATING_NOCALL && online[q] && hp_cpu != q && kcpu[self] != q && \
                (kcpu[self] == NONE || !fneed(self) || SKIP_MIGRATION_FLUSH) -> \
         onlist[self] = q; kcpu[self] = q }
#define MIGRATE_FLUSH(q, c) \
    :: d_step { MIGRATING_FLUSH && online[q] && hp_cpu != q && kcpu[self] == c && c != q && \
                fneed(self) && !SKIP_MIGRATION_FLUSH -> \
         res = RES_VP_FLUSH(self, c); S5_OK; S4_FLUSH_OK(self, c); FLUSH_OK; \
         assoc[self] = (res == SUCCESS -> NONE : assoc[self]); \
         onlist[self] = q; kcpu[self] = q; vm_dead = vm_dead || FLUSH_BUG; res = 0 }
#define VP_INIT(c) \
    :: d_step { vcpu_pc[self] == init_vpinit && kcpu[self] == c -> \
         res = RES_VP_INIT(self); S5_OK; \
         if :: res == SUCCESS -> mstate[self] = VP_READY; assoc[self] = c :: else -> skip fi; \
         vm_dead = vm_dead || res != SUCCESS; \
         vcpu_pc[self] = (res == SUCCESS -> (DESIGN == V19 -> init_mark : init_wr) : user); res = 0 }
#define VP_WR(c) \
    :: d_step { vcpu_pc[self] == init_wr && kcpu[self] == c -> \
         res = RES_VP_ENTER(self, c); S3_OK; S5_OK; \
         assoc[self] = (res == SUCCESS -> c : assoc[self]); \
         vm_dead = vm_dead || res != SUCCESS; \
         vcpu_pc[self] = (DESIGN == V19 -> user : init_mark); res = 0 }
#define VP_ENTER(c) \
    :: d_step { vcpu_pc[self] == in_run && kcpu[self] == c && !vm_dead -> \
         res = RES_VP_ENTER(self, c); S3_OK; S5_OK; \
         assoc[self] = (res == SUCCESS -> c : assoc[self]); \
         vcpu_pc[self] = (res == SUCCESS -> in_run : user); res = 0 }

active [V] proctype vcpu() {
      byte res;
end:  do
      FOR_LP(CREATE)
      FOR_LP(INIT_IOCTL)
      FOR_LP(RUN_IOCTL)
      FOR_LP(MIGRATE_NOCALL)
      FOR_LP_LP(MIGRATE_FLUSH)
      :: d_step { vcpu_pc[self] == init_addcx ->                                        /* vp_addcx */
             res = RES_VP_ADDCX(self);
             mstate[self] = (res == SUCCESS -> VP_UNINIT : mstate[self]);
             vm_dead = vm_dead || res != SUCCESS;
             kflush[self] = kflush[self] || (FIX_F1 && res == SUCCESS);
             vcpu_pc[self] = (res == SUCCESS -> init_vpinit : user); res = 0 }
      FOR_LP(VP_INIT)
      FOR_LP(VP_WR)
      :: d_step { vcpu_pc[self] == init_mark -> kinit[self] = true;                   /* mark_init */
                  vcpu_pc[self] = (DESIGN == V19 -> init_wr : user) }
      FOR_LP(VP_ENTER)
      :: d_step { vcpu_pc[self] == in_run && !vm_dead -> vcpu_pc[self] = user }     /* exit_run */
      :: d_step { vcpu_pc[self] == in_run && vm_dead -> vcpu_pc[self] = user }      /* exit_dead */
      :: d_step { vcpu_pc[self] == user && vm_up -> vcpu_pc[self] = fd_closed }     /* close_fd */
      od
}
#undef self

/* =========================================================================================== */
#define CFG(j) (keycfg[j])
#define KEY_CONFIG(k) \
    :: d_step { vm_pc == td_keyconfig && !keycfg[k] -> \
         if :: RES_KEY_CONFIG(k) == SUCCESS -> keycfg[k] = true; \
                 life = ((keycfg[0] || 0 == k) && (K < 2 || keycfg[K - 1] || K - 1 == k) -> \
                         TD_KEYS_CONFIGURED : TD_HKID_ASSIGNED) \
            :: else -> skip fi }
/* the initial topologies (K == 2): every LP-to-package map m (bit p: pkg_of[p]) but the two constant ones */
#define BIT(m, p) (((m) >> (p)) & 1)
#define IS_TOPO(m) ((0 >= P || pkg(0) == BIT(m, 0)) && (1 >= P || pkg(1) == BIT(m, 1)) && \
                    (2 >= P || pkg(2) == BIT(m, 2)) && (3 >= P || pkg(3) == BIT(m, 3)))
#define SET_PKG(m, p) pkg_x[p] = BIT(m, p) ^ ((p) % K)
#define PICK(m) \
    :: d_step { vm_pc == td_create && !IS_TOPO(m) -> SET_PKG(m, 0); SET_PKG(m, 1) LP2(; SET_PKG(m, 2)) LP3(; SET_PKG(m, 3)) }

active proctype vm() {
end:  do
#if K == 2
      PICK(1) PICK(2)
#if P > 2
      PICK(3) PICK(4) PICK(5) PICK(6)
#endif
#if P > 3
      PICK(7) PICK(8) PICK(9) PICK(10) PICK(11) PICK(12) PICK(13) PICK(14)
#endif
#endif
      :: d_step { vm_pc == td_create ->                                              /* mng_create */
             life = (RES_MNG_CREATE == SUCCESS -> TD_HKID_ASSIGNED : life);
             khkid = true; vm_pc = td_keyconfig }
      FOR_PK(KEY_CONFIG)
      :: d_step { vm_pc == td_keyconfig && ALL_K(CFG) ->                            /* mng_init */
             op_init = (RES_MNG_INIT == SUCCESS -> true : op_init); vm_pc = td_inited }
      :: d_step { vm_pc == td_inited && vm_up && vmfd_open && !vm_dead -> vm_pc = td_runnable }   /* finalize */
      od
}

/* =========================================================================================== */
#define OTHER_ONLINE(p, q) (q < P && online[q] && q != p)
#define ANOTHER_ONLINE(p) (OTHER_ONLINE(p, 0) || OTHER_ONLINE(p, 1) || OTHER_ONLINE(p, 2) || OTHER_ONLINE(p, 3))
#define SAME_PKG_OTHER(p, q) (q < P && online[q] && q != p && pkg(q) == pkg(p))
#define OTHER_IN_PKG(p) (SAME_PKG_OTHER(p, 0) || SAME_PKG_OTHER(p, 1) || SAME_PKG_OTHER(p, 2) || SAME_PKG_OTHER(p, 3))
#define NOT_LOADED_ON(p, v) (v >= V || !(loaded(v) && kcpu[v] == p))
#define NONE_LOADED_ON(p) (NOT_LOADED_ON(p, 0) && NOT_LOADED_ON(p, 1) && NOT_LOADED_ON(p, 2) && \
                           NOT_LOADED_ON(p, 3) && NOT_LOADED_ON(p, 4) && NOT_LOADED_ON(p, 5))
#define LISTED(w, c) (onlist[w] == c && kcpu[w] == c)
#define UNLISTED_BELOW(v, c) ((0 >= v || !LISTED(0, c)) && (1 >= v || !LISTED(1, c)) && (2 >= v || !LISTED(2, c)) && \
                              (3 >= v || !LISTED(3, c)) && (4 >= v || !LISTED(4, c)) && (5 >= v || !LISTED(5, c)))
#define HP_BEGIN(p) \
    :: d_step { cpuhp_pc == hp_idle && vm_up && !in_release && online[p] && ANOTHER_ONLINE(p) && \
                (!khkid || OTHER_IN_PKG(p)) && NONE_LOADED_ON(p) && \
                !(td_pc == reload_put && cur != NONE && kcpu[cur] == p) -> \
         hp_cpu = p; cpuhp_pc = hp_flushing }
#define HP_FLUSH_ONE(v, c) \
    :: d_step { cpuhp_pc == hp_flushing && hp_cpu == c && onlist[v] == c && kcpu[v] == c && fneed(v) -> \
         res = RES_VP_FLUSH(v, c); S5_OK; S4_FLUSH_OK(v, c); FLUSH_OK; \
         assoc[v] = (res == SUCCESS -> NONE : assoc[v]); onlist[v] = NONE; kcpu[v] = NONE; res = 0 }
#define HP_DROP_ONE(v, c) \
    :: d_step { cpuhp_pc == hp_flushing && hp_cpu == c && onlist[v] == c && kcpu[v] == c && !fneed(v) -> \
         onlist[v] = NONE; kcpu[v] = NONE }
#define HP_FINISH(c) \
    :: d_step { cpuhp_pc == hp_flushing && hp_cpu == c && UNLISTED_BELOW(V, c) -> \
         online[c] = false; hp_cpu = NONE; cpuhp_pc = hp_idle }
#define V_ROW(M, c) M(0, c) VC1(M(1, c)) VC2(M(2, c)) VC3(M(3, c)) VC4(M(4, c)) VC5(M(5, c))
#define FLUSH_ONE(c) V_ROW(HP_FLUSH_ONE, c)
#define DROP_ONE(c) V_ROW(HP_DROP_ONE, c)

active proctype cpuhp() {
      byte res;
end:  do
#if HOTPLUG
      FOR_LP(HP_BEGIN)
      FOR_LP(FLUSH_ONE)
      FOR_LP(DROP_ONE)
      FOR_LP(HP_FINISH)
#endif
      :: d_step { false -> skip }
      od
}

/* =========================================================================================== */
/* kvm_for_each_vcpu loops visit the vCPUs in any order: tdone marks the visited ones, and the
 * visit of the last unvisited vCPU clears them all (the spec's `last(w)`, read on the pre-state
 * into the scratch `l`); the cache write-back visits the packages likewise (wbdone, last_pkg) */
#define IS_LAST(u, w) (u >= V || tdone[u] || u == w)
#define LAST(w) (IS_LAST(0, w) && IS_LAST(1, w) && IS_LAST(2, w) && IS_LAST(3, w) && IS_LAST(4, w) && IS_LAST(5, w))
#define VISIT(w) \
         if :: l -> u = 0; do :: u < V -> tdone[u] = false; u++ :: else -> break od; u = 0 \
            :: else -> tdone[w] = true fi; l = 0
#define LAST_PKG(k) ((wbdone[0] || 0 == k) && (K < 2 || wbdone[K - 1] || K - 1 == k))
#define LP_W(M, w)        M(w, 0) M(w, 1) LP2(M(w, 2)) LP3(M(w, 3))
#define FOR_V_LP(M)       LP_W(M, 0) VC1(LP_W(M, 1)) VC2(LP_W(M, 2)) VC3(LP_W(M, 3)) VC4(LP_W(M, 4)) VC5(LP_W(M, 5))
#define LP_ROW_W(M, w, a) M(w, a, 0) M(w, a, 1) LP2(M(w, a, 2)) LP3(M(w, a, 3))
#define LP_LP_W(M, w)     LP_ROW_W(M, w, 0) LP_ROW_W(M, w, 1) LP2(LP_ROW_W(M, w, 2)) LP3(LP_ROW_W(M, w, 3))
#define FOR_V_LP_LP(M)    LP_LP_W(M, 0) VC1(LP_LP_W(M, 1)) VC2(LP_LP_W(M, 2)) VC3(LP_LP_W(M, 3)) \
                          VC4(LP_LP_W(M, 4)) VC5(LP_LP_W(M, 5))
#define V19_FREE_DISASSOC (DESIGN == V19 && !V19_NO_FREE_DISASSOCIATE)

#define TD_FLUSH_NOCALL(w) \
    :: d_step { td_pc == rel_flush && !tdone[w] && (kcpu[w] == NONE || !fneed(w)) && ipi_ok(w) -> \
         l = LAST(w); \
         onlist[w] = (kcpu[w] != NONE -> NONE : onlist[w]); kcpu[w] = NONE; \
         freed[w] = (DESIGN == NORMAL_WAY -> true : freed[w]); \
         td_pc = (l -> rel_vpflushdone : rel_flush); VISIT(w) }
#define TD_FLUSH_CALL(w, c) \
    :: d_step { td_pc == rel_flush && !tdone[w] && kcpu[w] == c && fneed(w) && ipi_ok(w) -> \
         l = LAST(w); res = RES_VP_FLUSH(w, c); S5_OK; S4_FLUSH_OK(w, c); FLUSH_OK; \
         assoc[w] = (res == SUCCESS -> NONE : assoc[w]); \
         onlist[w] = NONE; kcpu[w] = NONE; freed[w] = (DESIGN == NORMAL_WAY -> true : freed[w]); \
         vm_dead = vm_dead || FLUSH_BUG; \
         td_pc = (l -> rel_vpflushdone : rel_flush); VISIT(w); res = 0 }
#define PKG_HAS_ONLINE(k, p) (p < P && online[p] && pkg(p) == k)
#define ONLINE_IN(k) (PKG_HAS_ONLINE(k, 0) || PKG_HAS_ONLINE(k, 1) || PKG_HAS_ONLINE(k, 2) || PKG_HAS_ONLINE(k, 3))
#define CACHE_WB(k) \
    :: d_step { td_pc == rel_wb && !wbdone[k] && ONLINE_IN(k) -> \
         wbpend[k] = (RES_CACHE_WB == SUCCESS -> false : wbpend[k]); \
         if :: LAST_PKG(k) -> td_pc = rel_freeid; wbdone[0] = false; wbdone[K - 1] = false \
            :: else -> wbdone[k] = true fi }
#define TD_RELOAD_NOCALL(w, p) \
    :: d_step { td_pc == reload && !tdone[w] && online[p] && hp_cpu != p && ipi_ok(w) && \
                (kcpu[w] == p || kcpu[w] == NONE || !fneed(w)) -> \
         onlist[w] = (kcpu[w] != p -> p : onlist[w]); kcpu[w] = p; cur = w; td_pc = reload_put }
#define TD_RELOAD_MIGRATE_NOCALL(w, q) \
    :: d_step { td_pc == reload_put && cur == w && online[q] && hp_cpu != q && kcpu[w] != q && \
                (kcpu[w] == NONE || !fneed(w)) -> \
         onlist[w] = q; kcpu[w] = q }
#define TD_RELOAD_MIGRATE_FLUSH(w, q, c) \
    :: d_step { td_pc == reload_put && cur == w && online[q] && hp_cpu != q && kcpu[w] == c && c != q && fneed(w) -> \
         res = RES_VP_FLUSH(w, c); S5_OK; S4_FLUSH_OK(w, c); FLUSH_OK; \
         assoc[w] = (res == SUCCESS -> NONE : assoc[w]); onlist[w] = q; kcpu[w] = q; res = 0 }
#define TD_RELOAD_PUT(w) \
    :: d_step { td_pc == reload_put && cur == w -> \
         l = LAST(w); td_pc = (l -> free_vcpus : reload); cur = NONE; VISIT(w) }
#define TD_FREE_KEEP(w) \
    :: d_step { td_pc == free_vcpus && !tdone[w] && (khkid || mstate[w] == VP_NONE) && ipi_ok(w) -> \
         l = LAST(w); \
         onlist[w] = ((V19_FREE_DISASSOC && kcpu[w] != NONE) -> NONE : onlist[w]); \
         kcpu[w] = (V19_FREE_DISASSOC -> NONE : kcpu[w]); freed[w] = true; \
         td_pc = (l -> vm_destroy : free_vcpus); VISIT(w) }
#define TD_FREE_RECLAIM(w) \
    :: d_step { td_pc == free_vcpus && !tdone[w] && !khkid && mstate[w] != VP_NONE && ipi_ok(w) -> \
         assert(life == TD_TEARDOWN); \
         l = LAST(w); \
         mstate[w] = (RES_PAGE_RECLAIM == SUCCESS -> VP_RECLAIMED : mstate[w]); \
         onlist[w] = ((V19_FREE_DISASSOC && kcpu[w] != NONE) -> NONE : onlist[w]); \
         kcpu[w] = (V19_FREE_DISASSOC -> NONE : kcpu[w]); freed[w] = true; \
         td_pc = (l -> vm_destroy : free_vcpus); VISIT(w) }
#define VP_STATE_GONE(v) (mstate[v] != VP_UNINIT && mstate[v] != VP_READY)

active proctype td() {
      byte res, l, u;
end:  do
      :: d_step { vmfd_open && vm_up -> vmfd_open = false }                              /* close_vmfd */
      :: d_step { td_pc == alive && refs_zero && vm_up && hp_cpu == NONE -> td_pc = rel_flush }  /* last_ref */
#if DESIGN == V19
      :: d_step { td_pc == alive && vm_up && no_ioctl && hp_cpu == NONE ->               /* mm_exit */
             mm_gone = true; td_pc = rel_flush }
#endif
#if DESIGN == TERMINATE_VM
      :: d_step { td_pc == alive && vm_up && vmfd_open && no_ioctl && hp_cpu == NONE ->  /* terminate */
             vm_dead = true; td_pc = rel_flush }
#endif
      FOR_V(TD_FLUSH_NOCALL)
      FOR_V_LP(TD_FLUSH_CALL)
      :: d_step { td_pc == rel_vpflushdone ->                                            /* vpflushdone */
             assert(nassoc == 0);                                                       /* S1p */
             res = RES_VPFLUSHDONE;
             if :: res == SUCCESS -> wbpend[0] = true; wbpend[K - 1] = true; life = TD_BLOCKED
                :: else -> skip fi;
             td_pc = (res == SUCCESS -> rel_wb :
                      ((DESIGN == V19 && res == E_FLUSHVP_NOT_DONE) -> rel_flush :
                       ((DESIGN == V19 || DESIGN == TERMINATE_VM) -> wait_refs : free_vcpus)));
             leak_reported = leak_reported || (FIX_F3 && res == E_FLUSHVP_NOT_DONE);
             vm_dead = vm_dead || (FIX_F3 && res == E_FLUSHVP_NOT_DONE);
             res = 0 }
      FOR_PK(CACHE_WB)
      :: d_step { td_pc == rel_freeid ->                                                 /* freeid */
             assert(life == TD_BLOCKED && ALL_K(NOT_WBPEND));                          /* S6 */
             res = RES_FREEID;
             life = (res == SUCCESS -> TD_TEARDOWN : life);
             td_pc = ((DESIGN == V19 || DESIGN == TERMINATE_VM) -> wait_refs : free_vcpus);
             khkid = (res == SUCCESS -> false : khkid); res = 0 }
      :: d_step { td_pc == wait_refs && refs_zero ->                                     /* refs_gone */
             td_pc = (DESIGN == V19 -> reload : free_vcpus) }
      FOR_V_LP(TD_RELOAD_NOCALL)
      FOR_V_LP(TD_RELOAD_MIGRATE_NOCALL)
      FOR_V_LP_LP(TD_RELOAD_MIGRATE_FLUSH)
      FOR_V(TD_RELOAD_PUT)
      FOR_V(TD_FREE_KEEP)
      FOR_V(TD_FREE_RECLAIM)                                                             /* asserts S7_vcpu */
      :: d_step { td_pc == vm_destroy && !khkid ->                                       /* reclaim_tdr */
             assert(life == TD_TEARDOWN && ALL_V(VP_STATE_GONE));                       /* S7 */
             res = RES_TDR_RECLAIM;
             life = (res == SUCCESS -> TD_RECLAIMED : life);
             td_pc = (res == SUCCESS -> done : leaked); res = 0 }
      :: d_step { td_pc == vm_destroy && khkid -> td_pc = leaked }                       /* give_up */
      od
}

/* =========================================================================================== */
#define UNASSOC(v) (assoc[v] == NONE)
#define S2_OK(v) (assoc[v] == NONE || online[assoc[v]])
#define S4_OK(v) (assoc[v] == NONE || (kcpu[v] == assoc[v] && onlist[v] == assoc[v]))
#define S4_LIST_OK(v) (onlist[v] == NONE || kcpu[v] == onlist[v])
#define PKG_ONLINE_OF(k, p) (p < P && online[p] && pkg(p) == k)
#define PKG_ONLINE(k) (PKG_ONLINE_OF(k, 0) || PKG_ONLINE_OF(k, 1) || PKG_ONLINE_OF(k, 2) || PKG_ONLINE_OF(k, 3))
#define OFF_LIST_IF_FREED(v) (!freed[v] || onlist[v] == NONE)
#define OFF_LIST(v) (onlist[v] == NONE)
#define UNLOADED_IF_UNVISITED(v) (tdone[v] || kcpu[v] == NONE)
#define VCPU_TERMINAL(v) (vcpu_pc[v] == fd_closed)
#define ALL_TERMINAL ((vm_pc == td_inited || vm_pc == td_runnable) && ALL_V(VCPU_TERMINAL) && \
                      cpuhp_pc == hp_idle && (td_pc == done || td_pc == leaked))

active proctype monitor() {
end:  do
      :: d_step { (life == TD_BLOCKED || life == TD_TEARDOWN || life == TD_RECLAIMED) && !ALL_V(UNASSOC) ->
                  assert(false) }                                                        /* S1 */
      :: d_step { !ALL_V(S2_OK) -> assert(false) }                                       /* S2 */
      :: d_step { !ALL_V(S4_OK) -> assert(false) }                                       /* S4 */
      :: d_step { !ALL_V(S4_LIST_OK) -> assert(false) }                                  /* S4_list */
      :: d_step { khkid && !ALL_K(PKG_ONLINE) -> assert(false) }                         /* S8 */
      :: d_step { !ALL_V(OFF_LIST_IF_FREED) -> assert(false) }                           /* freed_off_list */
      :: d_step { !khkid && vm_pc != td_create && !ALL_V(OFF_LIST) -> assert(false) }    /* no_stale_list */
      :: d_step { td_pc == free_vcpus && !ALL_V(UNLOADED_IF_UNVISITED) -> assert(false) } /* free_unloaded */
      :: d_step { td_pc == leaked && !leak_reported -> assert(false) }                   /* loud_leak */
      :: atomic { timeout && !ALL_TERMINAL -> assert(false) }                            /* deadlock */
      od
}

/* =========================================================================================== */
/* Liveness (only with -DLIVENESS, so that the safety runs have no never claim): the spec's L1
 * and L2 as LTL, for `pan -a [-f] -N L1` (bench/liveness.py). SPIN's -f is weak fairness per
 * process, not the spec's per-transition weak/strong fairness with unfair adversary steps
 * (bench/README.md, "Liveness: SPIN's acceptance cycles against seamcheck"). */
#if LIVENESS
ltl L1 { [] ((td_pc != alive) -> <> (td_pc == done || td_pc == leaked || (td_pc == wait_refs && !refs_zero))) }
ltl L2 { [] ((refs_zero || td_pc != alive) -> <> (!khkid && (life == TD_TEARDOWN || life == TD_RECLAIMED))) }
#endif
