"""How often the offline simulator makes each kind of mistake.

The defaults are tuned so a demo funnel looks like the paper's (about 30% of blueprints pass
in the first round, about 70% after feedback rounds; most blueprints end in a verified
conversation within three attempts), with every rejection path exercised.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

Rate = float


def _rate(default: float, what: str) -> Rate:
    return Field(default=default, ge=0.0, le=1.0, description=what)


class SimulatorConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # generator (first round; later rounds multiply by `feedback_improvement`)
    malformed_json: Rate = _rate(0.08, "generator writes JSON that does not parse")
    unknown_tool: Rate = _rate(0.07, "generator names a tool that does not exist")
    bad_argument: Rate = _rate(0.08, "generator gives an argument of the wrong type")
    failing_action: Rate = _rate(0.10, "generator adds an action the environment refuses")
    ungrounded_output: Rate = _rate(0.08, "generator states an output no tool returned")
    no_effect: Rate = _rate(0.04, "generator writes a task with no writes and no outputs")
    vague_instruction: Rate = _rate(0.12, "instruction omits what the user needs (reviewers catch it)")
    feedback_improvement: float = Field(
        default=0.5, ge=0.0, le=1.0, description="factor on every generator mistake rate per feedback round"
    )
    # reviewers
    reviewer_false_reject: Rate = _rate(0.08, "a reviewer rejects a good blueprint")
    reviewer_miss: Rate = _rate(0.15, "a reviewer passes a vague instruction")
    # human
    user_drift: Rate = _rate(0.06, "the simulated user asks for something outside the instruction")
    user_early_stop: Rate = _rate(0.04, "the simulated user ends the conversation before the task is done")
    # agent
    agent_wrong_argument: Rate = _rate(0.06, "the agent calls a write with a wrong argument")
    agent_skip_confirmation: Rate = _rate(0.05, "the agent writes without asking for confirmation")
    agent_forget_output: Rate = _rate(0.06, "the agent does not tell the user a requested figure")
    agent_malformed_call: Rate = _rate(0.03, "the agent emits a tool call that does not parse")
    # judge (user stabilisation)
    judge_noise: Rate = _rate(0.1, "the judge scores a candidate user reply at random")
