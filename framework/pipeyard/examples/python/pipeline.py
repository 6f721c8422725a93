"""The 'fit a line' pipeline in Python: prepare -> {train_linear, train_baseline} -> compare.

Run it with `pipeyard run`; the parameter worth overriding is inputs.test_fraction (e.g. 0.4).
"""

from steps.compare import compare
from steps.prepare import prepare
from steps.train import train

from pipeyard import File, In, pipeline


# In[File] types what a step receives (a pathlib.Path); a pipeline input's default is its path,
# written as text, which no Path type accepts
@pipeline
def fit_a_line(
    measurements: In[File] = "data/measurements.csv",  # type: ignore[assignment]
    test_fraction: float = 0.25,
):
    """Split the measurements, fit two models side by side, and compare them."""
    split = prepare(measurements=measurements, test_fraction=test_fraction)
    linear = train.named("train_linear")(train_set=split.outputs.train_set, method="linear")
    baseline = train.named("train_baseline")(train_set=split.outputs.train_set, method="mean")
    result = compare(
        test_set=split.outputs.test_set,
        model_a=linear.outputs.model,
        model_b=baseline.outputs.model,
        metrics="reports/comparison.json",
    )
    return {"report": result.outputs.metrics}
