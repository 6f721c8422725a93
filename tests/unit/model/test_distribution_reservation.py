"""A distributed step's identity and what it holds: instance_count x its resources."""

from __future__ import annotations

from pipeyard.model import Capacity, Distribution, Resources
from pipeyard.model.stage import Stage


def test_a_stage_reserves_its_resources_once_per_instance():
    stage = Stage(
        name="train",
        commands=("true",),
        resources=Resources(cpus=2, gpus=1, custom=(("ib", 1.0),)),
        distribution=Distribution("pytorch", 4, 3),
    )
    assert stage.instances == 3
    assert stage.reserved == Resources(cpus=6, gpus=3, custom=(("ib", 3.0),))
    assert Stage(name="plain", commands=("true",)).reserved == Resources()
    assert Distribution("pytorch", 4, 3).describe() == "pytorch 4x3"


def test_one_machine_refuses_instances_that_do_not_fit_together():
    machine = Capacity(cpus=4, memory_mb=8000)
    assert machine.shortfall(Resources(cpus=2), instances=2) is None
    why = machine.shortfall(Resources(cpus=2), instances=3)
    assert why is not None and "6 CPUs but the machine has 4" in why


def test_a_cluster_hosts_instances_spread_over_its_nodes():
    nodes = (
        Capacity(cpus=2, memory_mb=0, name="a"),
        Capacity(cpus=3, memory_mb=0, gpu_ids=("b:0",), name="b"),
    )
    cluster = Capacity(cpus=5, memory_mb=0, gpu_ids=("b:0",), nodes=nodes)
    assert cluster.shortfall(Resources(cpus=1), instances=5) is None  # 2 on a, 3 on b
    why = cluster.shortfall(Resources(cpus=2), instances=3)  # one on each node at most
    assert why is not None and "3 instances" in why and "host 2 at once" in why
    assert "host 1 at once" in (cluster.shortfall(Resources(cpus=1, gpus=1), instances=2) or "")  # one GPU
    assert "largest node" in (cluster.shortfall(Resources(cpus=4), instances=1) or "")


def test_labels_select_nodes_as_ray_label_selectors_do():
    from pipeyard.model.resources import label_matches

    assert label_matches("eu", "eu") and not label_matches("eu", "us") and not label_matches("eu", None)
    assert label_matches("!eu", "us") and label_matches("!eu", None) and not label_matches("!eu", "eu")
    assert label_matches("in(a,b)", "b") and not label_matches("!in(a, b)", "a")
    nodes = (
        Capacity(cpus=2, memory_mb=0, name="a", labels=(("zone", "eu"),)),
        Capacity(cpus=2, memory_mb=0, name="b"),
    )
    cluster = Capacity(cpus=4, memory_mb=0, nodes=nodes)
    assert cluster.shortfall(Resources(labels=(("zone", "eu"),))) is None
    assert "zone=us but no node" in (cluster.shortfall(Resources(labels=(("zone", "us"),))) or "")
    assert Capacity(cpus=2, memory_mb=0).shortfall(Resources(labels=(("zone", "us"),))) is None  # one machine
