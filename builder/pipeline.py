"""Assembly of the distilabel pipeline: one step per stage, rounds and attempts unrolled.

distilabel's DAGs are acyclic, so the feedback loop is unrolled into rounds (generate, check,
review for round 0, 1, ... R) and the retries of phase 2 into attempts; a task that has passed
simply flows through the later steps untouched. Resume does not rely on distilabel's batch
cache (it is off): every step consults the run's row-level journal instead.

The same pipeline runs on distilabel's `RayPipeline` (`run_pipeline(..., ray=RayOptions())`):
each step becomes a Ray actor instead of a local process; rows, journal and outputs are the same.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from distilabel.pipeline import Pipeline

from builder.config import BuildConfig
from builder.run.ray_session import RayOptions, ray_session
from steps.checks import CheckBlueprints
from steps.contexts import SampleContexts
from steps.generation import GenerateBlueprints
from steps.recombination import MergeInstructions, Recombine
from steps.review import ReviewBlueprints

if TYPE_CHECKING:
    from distilabel.distiset import Distiset


def stage_keys(config: BuildConfig) -> list[str]:
    """The journal keys of every per-task stage, in pipeline order (for progress and stats)."""
    keys = []
    for r in range(config.blueprints.feedback_rounds + 1):
        keys += [f"generate.r{r}", f"check.r{r}", f"review.r{r}"]
    if config.blueprints.recombine_share > 0:
        keys += ["merge", "check.recombined", "review.recombined"]
    if config.phase >= 2:
        keys += [f"interplay.a{k}" for k in range(1, config.interplay.attempts + 1)]
    return keys


def build_pipeline(run_dir: Path, config: BuildConfig) -> Pipeline:
    run = str(run_dir)
    common = {"run_dir": run, "input_batch_size": config.batch_size}
    rounds = config.blueprints.feedback_rounds
    with Pipeline(name=f"builder-{config.domain}", cache_dir=str(Path(run_dir) / ".state" / "distilabel")) as pipeline:
        last = SampleContexts(name="contexts", run_dir=run, batch_size=config.batch_size)
        for r in range(rounds + 1):
            final = r == rounds
            for step in (
                GenerateBlueprints(name=f"generate_r{r}", stage_key=f"generate.r{r}", round=r, **common),
                CheckBlueprints(name=f"check_r{r}", stage_key=f"check.r{r}", round=r, final_round=final, **common),
                ReviewBlueprints(name=f"review_r{r}", stage_key=f"review.r{r}", round=r, final_round=final, **common),
            ):
                last = last >> step
        if config.blueprints.recombine_share > 0:
            for step in (
                Recombine(name="recombine"),
                MergeInstructions(name="merge", stage_key="merge", **common),
                CheckBlueprints(name="check_recombined", stage_key="check.recombined", kind="recombined", final_round=True, **common),
                ReviewBlueprints(name="review_recombined", stage_key="review.recombined", kind="recombined", **common),
            ):
                last = last >> step
        if config.phase >= 2:
            from steps.interplay import Interplay

            for k in range(1, config.interplay.attempts + 1):
                last = last >> Interplay(name=f"interplay_a{k}", stage_key=f"interplay.a{k}", attempt=k, **common)
    return pipeline


def run_pipeline(run_dir: Path, config: BuildConfig, ray: RayOptions | None = None) -> "Distiset | None":
    """Build and run the pipeline, locally or (with `ray`) as Ray actors; returns its Distiset."""
    pipeline = build_pipeline(run_dir, config)
    if ray is None:
        return pipeline.run(use_cache=False)
    with ray_session(ray):
        return pipeline.ray().run(use_cache=False)
