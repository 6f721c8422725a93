"""The executor contract as a cluster executor keeps it: subclass ClusterExecutorContract.

    from pipeyard.testing.cluster_contract import ClusterExecutorContract

    class TestMyClusterExecutor(ClusterExecutorContract):
        def make_executor(self, capacity):
            return MyClusterExecutor()  # attached to a cluster offering `cluster_offers`

Every test of `ExecutorContract` runs too, with one change: on a cluster the node that runs a
step assigns its GPU devices, so a GPU step sees as many devices as it asked for, whichever
ids the scheduler counted. The cluster must offer what `cluster_offers` says (at least 2
logical GPUs and one unit of the custom resource `highmem`). What is added:

- results say where the step ran (host and node id);
- capacity lists the cluster's nodes, and a step no node can host is refused by the capacity
  check, naming the largest node;
- custom resources place a step: a step asking for `highmem` runs, one asking for more
  than the cluster has is refused.
"""

from __future__ import annotations

from dataclasses import replace

from ..model import Capacity, Resources
from .executor_contract import ExecutorContract


class ClusterExecutorContract(ExecutorContract):
    """What the scheduler relies on from an executor that places steps on cluster nodes."""

    cluster_offers = Capacity(cpus=4, memory_mb=0, gpu_ids=("0", "1"), custom=(("highmem", 1.0),))

    def test_gpu_tasks_see_only_their_devices(self, executor, tmp_path):
        gpu_seen, cpu_seen = self.devices_seen(executor, tmp_path, ("scheduler-counted",))
        devices = gpu_seen.strip("[]").split(",")
        assert len(devices) == 1 and devices[0].isdigit(), f"a 1-GPU step saw devices {devices}"
        assert cpu_seen == "[]"

    def test_results_say_where_the_step_ran(self, executor, tmp_path):
        result = self.run(executor, self.task(tmp_path, "where", "true"))
        assert result.ok and result.host and result.node_id
        assert any(result.node_id.startswith(node.name.split()[-1]) for node in executor.capacity.nodes)

    def test_capacity_is_the_sum_of_named_nodes(self, executor):
        nodes = executor.capacity.nodes
        assert nodes and all(node.name for node in nodes)
        assert executor.capacity.cpus == sum(node.cpus for node in nodes)
        assert executor.capacity.gpus == sum(node.gpus for node in nodes)

    def test_a_step_no_node_can_host_is_refused_naming_the_largest_node(self, executor):
        largest = max(executor.capacity.nodes, key=lambda n: n.cpus)
        why = executor.capacity.shortfall(Resources(cpus=largest.cpus + 1))
        assert why is not None and "largest node" in why and largest.name in why
        assert executor.capacity.shortfall(Resources(cpus=1)) is None

    def test_custom_resources_place_a_step(self, executor, tmp_path):
        highmem = Resources(custom=(("highmem", 1.0),))
        assert executor.capacity.shortfall(highmem) is None
        assert executor.capacity.shortfall(replace(highmem, custom=(("highmem", 99.0),)))
        result = self.run(executor, self.task(tmp_path, "big", "echo big > big.txt", resources=highmem))
        assert result.ok and (tmp_path / "big.txt").read_text().strip() == "big"
