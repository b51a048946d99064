"""How many actors each stage of a RayExecutor run gets, what each asks of Ray, and where.

Called once per run by the driver, before any actor or task is made. Streaming needs every
stage alive at once, so all pools must fit in the cluster together (Ray reserves what an
actor asks for as long as it lives, unlike the LocalExecutor's threads, which share cores).

The life-cycle options apply by kind of stage (``native().stage_kind``):

* ``max_calls_per_worker`` retires a task stage's actor after that many calls. A shuffle
  stage's actors make route and reduce calls, not ``process_batch`` calls: the option is
  ignored there, with a warning. A gang member cannot be replaced (the other members'
  collectives wait for it): a gang stage with the option is an error.
* ``max_restarts`` (Ray's, in ``ray_remote_args``) lets Ray restart a lost actor and the
  driver redo its call: for task stages and shuffle stages (a lost route or reduce is
  redone; routed blocks live in the object store). A restarted gang member would have
  lost its part of the gang's state: the option is dropped for gang stages, with a
  warning, and a lost member fails the run.

Consecutive task stages fuse into one pool, as the LocalExecutor fuses them (config
``fuse_task_stages``, default true): one actor runs the chain, each output of a stage going
alone to the next inside the process, so the tasks between them never cross the object
store. Two stages fuse when both are task stages, the second takes one task a call
(``batch_size`` 1), and both ask for the same actor options, CPUs, GPUs, worker count and
``max_calls_per_worker``. The run's first stage stays alone: it receives the seeds, and
the stages after it are spread over the actors. With a single seed (a reader's file
partitioning) it fuses too, as a ``seeded`` pool: one of the pool's actors runs the first
stage alone on the seed, and the pool's actors share its outputs, each running the rest of
the chain; no process is spent on a stage that makes one call.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field

from curate._native import native
from curate.backends.utils import (check_total_gpu_capacity, get_available_cpu_gpu_resources,
                                   merge_executor_configs, warn_on_env_var_override)

_log = logging.getLogger("curate.ray")
# Keys of ray_remote_args that are curate's own: read here, never passed to Ray.
_CURATE_KEYS = ("num_workers", "queue_capacity")
# Ray counts resources in units of 1/10000.
_RESOLUTION = 1e-4


@dataclass
class StagePlan:
    """How one stage runs: its actors' requests, their number and nodes, its options."""

    index: int                  # into the built stages
    name: str
    cpus: float                 # asked of Ray per actor (scaled down when the cluster is short)
    gpus: float
    workers: int
    nodes: list = field(default_factory=list)  # node id per actor, in order
    options: dict = field(default_factory=dict)  # Ray actor options (no num_cpus/num_gpus)
    max_calls: int | None = None  # max_calls_per_worker
    max_restarts: int = 0         # Ray's, from ray_remote_args; -1: without limit
    kind: str = "task"            # "task", "shuffle" or "gang" (native().stage_kind)
    # The built stages this pool runs, ``index`` first: more than one for fused stages.
    indices: list = field(default_factory=list)
    names: list = field(default_factory=list)
    # The pool runs the run's first stage alone on the one seed, then the rest of its
    # chain over that stage's outputs (see the module's comment).
    seeded: bool = False

    def __post_init__(self) -> None:
        self.indices = self.indices or [self.index]
        self.names = self.names or [self.name]


def _positive_int(value, what: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{what} must be a positive integer, got {value!r}")
    return value


def _stage_request(stage, base_args: dict) -> tuple:
    """Return (Ray options, cpus, gpus, requested workers, max calls, kind) of one built
    stage; see the module's comment for the rules by kind."""
    spec = json.loads(stage.spec_json())
    own = spec.get("ray_remote_args") or {}
    merged = merge_executor_configs(base_args, own)
    warn_on_env_var_override(base_args, merged)
    where = f"stage '{stage.name}' ray_remote_args"
    cpus = float(merged.pop("num_cpus", stage.cpus))
    gpus = float(merged.pop("num_gpus", stage.gpus))
    requested = _positive_int(merged.get("num_workers"), f"{where} num_workers") or \
        stage.num_workers
    for key in _CURATE_KEYS:
        merged.pop(key, None)
    max_calls = _positive_int(spec.get("max_calls_per_worker"),
                              f"stage '{stage.name}' max_calls_per_worker")
    kind = native().stage_kind(stage)
    if kind == "gang" and max_calls is not None:
        raise ValueError(f"stage '{stage.name}' is a gang stage: its members cannot be "
                         "replaced mid-run (the others wait for them in collectives); remove "
                         "its max_calls_per_worker")
    if kind == "shuffle" and max_calls is not None:
        _log.warning("RayExecutor: stage '%s' is a shuffle stage: max_calls_per_worker "
                     "applies to task stages only and is ignored here", stage.name)
        max_calls = None
    if kind == "gang" and merged.get("max_restarts"):
        _log.warning("RayExecutor: stage '%s' is a gang stage: a restarted member would "
                     "have lost its share of the gang; max_restarts is ignored and a lost "
                     "member fails the run", stage.name)
        merged.pop("max_restarts")
    return merged, cpus, gpus, requested, max_calls, kind


def _pack(requests: list[tuple[float, float]], nodes: list[dict]) -> list[int] | None:
    """Place (cpus, gpus) requests on nodes, largest first; return node indices or None."""
    free = [[n.get("Resources", {}).get("CPU", 0.0), n.get("Resources", {}).get("GPU", 0.0)]
            for n in nodes]
    placed: list[int | None] = [None] * len(requests)
    for k in sorted(range(len(requests)), key=lambda k: requests[k], reverse=True):
        cpus, gpus = requests[k]
        # The fullest node that still fits: keeps room whole for the larger requests.
        fits = [j for j, (c, g) in enumerate(free) if c + 1e-9 >= cpus and g + 1e-9 >= gpus]
        if not fits:
            return None
        j = min(fits, key=lambda j: (free[j][0], j))
        free[j][0] -= cpus
        free[j][1] -= gpus
        placed[k] = j
    return placed  # type: ignore[return-value]


def _chains(stages: list, requests: list, fuse: bool, seeded: bool = False) -> list[list[int]]:
    """Return the stages (offsets into ``stages``) of each pool, in order: runs of fused
    task stages (see the module's comment), else one stage each; the first stage fuses
    only when ``seeded`` (the run starts from one task)."""
    chains: list[list[int]] = []
    for k, request in enumerate(requests):
        previous = requests[chains[-1][-1]] if chains else None
        fusable = (fuse and previous is not None and (chains[-1][0] > 0 or seeded)
                   and previous[5] == "task" and request[5] == "task"
                   and stages[k].batch_size <= 1
                   and previous[0] == request[0] and previous[1:5] == request[1:5])
        if fusable:
            chains[-1].append(k)
        else:
            chains.append([k])
    return chains


def plan_pools(built: list, first: int, nodes: list[dict], executor_args: dict,
               ignore_head_node: bool, fuse: bool = True,
               single_seed: bool = False) -> list[StagePlan]:
    """Size every pool over ``nodes`` (the nodes that may run stages): one per stage, or
    per chain of fused task stages with ``fuse`` (see the module's comment).

    With ``single_seed`` (the run starts from one task) the first stage fuses with the
    stages after it into a ``seeded`` pool where it can; otherwise it gets one actor that
    asks Ray for no CPU: its one call runs before any other stage has work, so a core held
    for it all run long would be taken from the stages after it.

    Pools are sized from ``get_available_cpu_gpu_resources``: a stage with ``num_workers``
    (or ``ray_remote_args.num_workers``) gets that many actors, capped at what its request
    allows with a warning; the others get one actor, then the CPUs left over are handed out
    one actor at a time, round-robin in pipeline order. The first stage gets one actor (it
    receives one bundle: the seeds). ``check_total_gpu_capacity`` raises RuntimeError
    "Need N GPUs but cluster has M available." before anything is made. When the actors
    ask for more CPUs than the cluster has, every actor's request is scaled down by one
    factor, with a warning naming the numbers, so that all stages still run at once.
    """
    every_stage = [built[i] for i in range(first, len(built))]
    every_request = [_stage_request(stage, executor_args) for stage in every_stage]
    chains = _chains(every_stage, every_request, fuse, single_seed)
    # From here on, a chain is planned as its head stage (its stages ask alike).
    stages = [every_stage[chain[0]] for chain in chains]
    requests = [every_request[chain[0]] for chain in chains]
    seeded = single_seed and len(chains[0]) > 1
    if single_seed and not seeded:
        options, _, gpus, requested, max_calls, kind = requests[0]
        if requested and requested > 1:
            _log.info("RayExecutor: stage '%s' gets 1 worker, not %d: the run starts from one "
                      "task", stages[0].name, requested)
        requests[0] = (options, 0.0, gpus, 1, max_calls, kind)
    # The seed API answers for the Ray cluster while Ray is initialised in this process.
    total_cpus, total_gpus = get_available_cpu_gpu_resources(
        ignore_head_node=ignore_head_node)
    counts: list[int] = []
    for stage, (_, cpus, gpus, requested, _, _) in zip(stages, requests):
        cap = math.inf
        if cpus > 0:
            cap = min(cap, max(1, math.floor(total_cpus / cpus + 1e-9)))
        if gpus > 0:
            cap = min(cap, max(1, math.floor(total_gpus / gpus + 1e-9)))
        count = requested or 1
        if requested and requested > cap:
            _log.warning("RayExecutor: stage '%s' asks for %d workers but the cluster "
                         "allows %d (%g CPUs and %g GPUs available, %g CPUs and %g GPUs "
                         "per worker); using %d", stage.name, requested, cap, total_cpus,
                         total_gpus, cpus, gpus, cap)
            count = int(cap)
        counts.append(count)
    # GPUs first, before any setup task or actor: Ray would wait forever for them.
    gpus_needed = math.ceil(sum(r[2] * c for r, c in zip(requests, counts)) - 1e-9)
    check_total_gpu_capacity(gpus_needed, ignore_head_node=ignore_head_node)
    # The CPUs one actor each leaves go to the stages sized automatically.
    spare = total_cpus - sum(r[1] * c for r, c in zip(requests, counts))
    growable = [k for k, r in enumerate(requests)
                if (k > 0 or seeded) and not r[3] and r[2] == 0 and r[1] > 0]
    while growable and spare > 0:
        grown = False
        for k in growable:
            if requests[k][1] <= spare + 1e-9:
                counts[k] += 1
                spare -= requests[k][1]
                grown = True
        if not grown:
            break
    scale = _fit(requests, counts, nodes, total_cpus, stages)
    plans = []
    actor_requests = [(_amount(r[1] * scale), r[2]) for r, c in zip(requests, counts)
                      for _ in range(c)]
    placement = _pack(actor_requests, nodes) or []
    cursor = 0
    for k, (chain, (options, cpus, gpus, _, max_calls, kind)) in enumerate(
            zip(chains, requests)):
        restarts = options.get("max_restarts", 0)
        node_ids = [nodes[placement[cursor + a]]["NodeID"] if placement else None
                    for a in range(counts[k])]
        cursor += counts[k]
        names = [every_stage[c].name for c in chain]
        plans.append(StagePlan(first + chain[0], "+".join(names), _amount(cpus * scale), gpus,
                               counts[k], node_ids, options, max_calls, int(restarts or 0),
                               kind, [first + c for c in chain], names, seeded and k == 0))
    return plans


def _amount(cpus: float) -> float:
    """Return ``cpus`` rounded down to Ray's resolution (rounding up could overfill a node)."""
    return max(math.floor(cpus / _RESOLUTION + 1e-6) * _RESOLUTION, 0.0)


def _fit(requests, counts, nodes, total_cpus: float, stages) -> float:
    """Return the factor (<= 1) to scale CPU requests by so that every actor is placed."""
    wanted = sum(r[1] * c for r, c in zip(requests, counts))

    def packs(scale: float) -> bool:
        asks = [(max(r[1] * scale, 0.0), r[2]) for r, c in zip(requests, counts)
                for _ in range(c)]
        return _pack(asks, nodes) is not None

    if packs(1.0):
        return 1.0
    low, high = 0.0, 1.0
    if wanted > 0:
        high = min(1.0, total_cpus / wanted)
    if packs(high):
        low = high
    else:
        for _ in range(30):  # the largest factor that packs, to Ray's resolution
            middle = (low + high) / 2
            if packs(middle):
                low = middle
            else:
                high = middle
            if high - low < _RESOLUTION:
                break
    if not packs(low):
        raise RuntimeError("RayExecutor: the stages' GPU requests cannot be placed on the "
                           "cluster's nodes; lower the stages' gpus or add GPU nodes")
    detail = ", ".join(f"{s.name} {c}x{r[1]:g}" for s, r, c in zip(stages, requests, counts))
    _log.warning(
        "RayExecutor: the %d actors ask for %g CPUs (%s) but the cluster has %g CPUs "
        "available (on %d nodes); streaming needs every stage running at once, so each "
        "actor asks for %.0f%% of its stage's CPUs and they share cores. Lower the stages' "
        "cpus or num_workers, or add nodes, to give each actor what it asks for.",
        sum(counts), wanted, detail, total_cpus, len(nodes), low * 100)
    return low
