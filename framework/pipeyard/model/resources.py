"""Resources a step asks for, and the capacity of a machine that runs steps."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Resources:
    """What one step needs while it runs."""

    cpus: float = 1.0
    memory_mb: int = 0
    gpus: int = 0
    cpu_fallback: bool = False  # run on the CPU when the machine has no GPU to give
    # a cluster's named resources, e.g. (("highmem", 1.0),), sorted by name; a machine has none
    custom: tuple[tuple[str, float], ...] = ()
    # labels a cluster node must carry, e.g. (("zone", "eu"),) or (("gpu", "!a100"),), sorted; a
    # machine ignores them. A value is Ray's label selector: "v", "!v", "in(a,b)", "!in(a,b)"
    labels: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.cpus <= 0:
            raise ValueError(f"cpus must be positive, got {self.cpus}")
        if self.memory_mb < 0 or self.gpus < 0:
            raise ValueError("memory_mb and gpus must not be negative")
        if any(amount <= 0 for _, amount in self.custom):
            raise ValueError("custom resource amounts must be positive")
        if list(self.custom) != sorted(dict(self.custom).items()):
            object.__setattr__(self, "custom", tuple(sorted(dict(self.custom).items())))
        if list(self.labels) != sorted(dict(self.labels).items()):
            object.__setattr__(self, "labels", tuple(sorted(dict(self.labels).items())))

    @property
    def uses_gpu(self) -> bool:
        """True when the step needs at least one GPU."""
        return self.gpus > 0

    def times(self, count: int) -> Resources:
        """What count copies of this step hold together (a distributed step's instances)."""
        if count == 1:
            return self
        return replace(
            self,
            cpus=self.cpus * count,
            memory_mb=self.memory_mb * count,
            gpus=self.gpus * count,
            custom=tuple((name, amount * count) for name, amount in self.custom),
        )

    def fitted_to(self, capacity: Capacity) -> Resources:
        """These resources, on the CPU when GPUs are asked, missing, and cpu_fallback allows it."""
        if self.gpus > capacity.gpus and self.cpu_fallback:
            return replace(self, gpus=0)
        return self

    def describe(self) -> str:
        """A short human-readable summary, e.g. '2 CPUs, 4096 MB, 1 GPU'."""
        parts = [f"{self.cpus:g} CPU{'s' if self.cpus != 1 else ''}"]
        if self.memory_mb:
            parts.append(f"{self.memory_mb} MB")
        if self.gpus:
            parts.append(f"{self.gpus} GPU{'s' if self.gpus != 1 else ''}")
        parts.extend(f"{amount:g} {name}" for name, amount in self.custom)
        parts.extend(f"{key}={value}" for key, value in self.labels)
        return ", ".join(parts)


DISTRIBUTION_TYPES = ("pytorch", "mpi", "tensorflow")


@dataclass(frozen=True)
class Distribution:
    """A step that runs as several cooperating processes (Azure's `distribution:`).

    processes_per_instance processes on each of instance_count machines (Azure's
    `resources.instance_count`); type says which variables they get (torch.distributed's,
    MPI's, or TF_CONFIG).
    """

    type: str
    processes_per_instance: int = 1
    instance_count: int = 1

    def __post_init__(self) -> None:
        if self.type not in DISTRIBUTION_TYPES:
            raise ValueError(
                f"distribution type must be one of {', '.join(DISTRIBUTION_TYPES)}, got {self.type!r}"
            )
        if self.processes_per_instance < 1 or self.instance_count < 1:
            raise ValueError("process and instance counts must be at least 1")

    def describe(self) -> str:
        """Its identity in one line: type, processes per instance x instances ('pytorch 2x1')."""
        return f"{self.type} {self.processes_per_instance}x{self.instance_count}"

    @property
    def world_size(self) -> int:
        """How many processes run in all."""
        return self.processes_per_instance * self.instance_count


@dataclass(frozen=True)
class Capacity:
    """What a machine (or an executor) offers: CPUs, memory and named GPU devices.

    A cluster's capacity is the sum of its nodes, and `nodes` lists each node's own capacity
    (named by `name`, e.g. its address): a step fits a cluster only when one node can host it.
    custom holds named resources (e.g. ("highmem", 1.0)) as sorted pairs.
    """

    cpus: float
    memory_mb: int
    gpu_ids: tuple[str, ...] = ()
    custom: tuple[tuple[str, float], ...] = ()
    name: str = ""
    nodes: tuple[Capacity, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()  # a cluster node's labels

    @property
    def gpus(self) -> int:
        """How many GPUs are available."""
        return len(self.gpu_ids)

    def shortfall(self, wanted: Resources, instances: int = 1) -> str | None:
        """Why instances copies of wanted can never fit in this capacity, or None when they fit.

        On a cluster (nodes given) each instance must fit one node, and the nodes together
        must host all of them; the answer then names what the step asks for and the largest
        node. On one machine all instances run on it, so they must fit it together.
        """
        if self.nodes:
            hosted = sum(node._instances_of(wanted) for node in self.nodes)
            if hosted >= instances:
                return None
            if hosted:
                return (
                    f"{instances} instances of {wanted.describe()} but the cluster's nodes can host "
                    f"{hosted} at once"
                )
            largest = max(self.nodes, key=lambda n: (n.gpus, n.cpus, n.memory_mb))
            return (
                f"{wanted.describe()} but no node of the cluster can host it; the largest node"
                f" ({largest.name or 'unnamed'}) has {largest.describe()}"
            )
        # custom resources describe cluster nodes; one machine runs such a step as it is
        return self._own_shortfall(wanted.times(instances), "the machine", custom=False)

    def _instances_of(self, wanted: Resources) -> int:
        """How many copies of wanted this node hosts at once."""
        if self._own_shortfall(wanted, "the node", custom=True) is not None:
            return 0
        offered = dict(self.custom)
        counts = [int(self.cpus // wanted.cpus)]
        if wanted.gpus:
            counts.append(self.gpus // wanted.gpus)
        if wanted.memory_mb and self.memory_mb:
            counts.append(self.memory_mb // wanted.memory_mb)
        counts += [int(offered.get(name, 0.0) // amount) for name, amount in wanted.custom]
        return min(counts)

    def _own_shortfall(self, wanted: Resources, what: str, *, custom: bool) -> str | None:
        problems = []
        if wanted.cpus > self.cpus:
            problems.append(f"{wanted.cpus:g} CPUs but {what} has {self.cpus:g}")
        if wanted.memory_mb and self.memory_mb and wanted.memory_mb > self.memory_mb:
            problems.append(f"{wanted.memory_mb} MB of memory but {what} has {self.memory_mb} MB")
        if wanted.gpus > self.gpus:
            have = f"{self.gpus} ({', '.join(self.gpu_ids)})" if self.gpu_ids else "none"
            problems.append(f"{wanted.gpus} GPU(s) but {what} has {have}")
        offered = dict(self.custom)
        for name, amount in wanted.custom if custom else ():
            if amount > offered.get(name, 0.0):
                problems.append(f"{amount:g} {name} but {what} has {offered.get(name, 0.0):g}")
        carried = dict(self.labels)
        for key, selector in wanted.labels if custom else ():
            if not label_matches(selector, carried.get(key)):
                problems.append(f"label {key}={selector} but {what} has {key}={carried.get(key, '(none)')}")
        return "; ".join(problems) or None

    def describe(self) -> str:
        """A short human-readable summary."""
        gpus = f", GPUs {','.join(self.gpu_ids)}" if self.gpu_ids else ", no GPU"
        mem = f", {self.memory_mb} MB" if self.memory_mb else ""
        custom = "".join(f", {amount:g} {name}" for name, amount in self.custom)
        labels = "".join(f", {key}={value}" for key, value in self.labels if not key.startswith("ray.io/"))
        return f"{self.cpus:g} CPUs{mem}{gpus}{custom}{labels}"


def label_matches(selector: str, value: str | None) -> bool:
    """True when a node label value (None: the node lacks the label) meets a Ray label selector.

    "v" equals v, "!v" differs from v (or is missing), "in(a,b)" is one of them, "!in(a,b)" none.
    """
    negated = selector.startswith("!")
    body = selector[1:] if negated else selector
    if body.startswith("in(") and body.endswith(")"):
        found = value in {v.strip() for v in body[3:-1].split(",")}
    else:
        found = value == body
    return found != negated
