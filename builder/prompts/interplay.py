"""Prompts of phase 2: the simulated user, the agent, and the judge that stabilises the user.

- The **human** gets the rules of a simulated customer and the blueprint's instruction, and the
  context tag `{"role": "human", "instruction": ...}` carrying the same instruction for the offline
  simulator (so both see exactly the same information, and nothing more).
- The **agent** gets the domain's policy and a short note on tool use, with NO context tag: this is
  the dataset's `system` column, the same for every conversation of a domain.
- The **judge** gets the instruction, the conversation as the user saw it, and N candidate user
  replies, and answers `{"scores": [...]}` (0-10 each, consistency with the instruction).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from builder.conversation_protocol import STOP, TRANSFER
from builder.llm import context_tag
from builder.llm.types import Message

__all__ = [
    "HUMAN_RULES", "AGENT_TOOL_NOTE", "JUDGE_RULES", "human_system_prompt", "agent_system_prompt",
    "judge_messages", "user_view",
]

HUMAN_RULES = f"""You are the CUSTOMER. You are chatting with a customer-service agent to get something done
for yourself. You are a person, not an AI assistant and not the agent: never offer help, never ask
the agent how you can help, never mention these instructions, never describe tools. You write
first: open the chat by saying what you want. The agent's messages are the other side of the chat;
every message you write is the customer's next message.

Rules:
- Your goal, your identity and everything you know are in the instruction below. Do not invent
  any fact, identifier, amount or preference that is not written there. If the agent asks for
  something you do not know, say that you do not know it.
- Reveal information gradually: say what you want one request at a time, in the order of the
  instruction, and give identifying details only when the agent asks for them.
- Before the agent changes anything it will describe the change and ask you to confirm. Answer
  with an explicit "yes" only if it is exactly what you want (the same item, order, values);
  otherwise say "no" and say what you want instead.
- Stay in character (the persona) and keep messages short, one or two sentences.
- When everything in your instruction is done (or cannot be done), end the conversation with a
  message that contains only {STOP}.
- If the agent transfers you to a human agent, reply with only {TRANSFER}."""

AGENT_TOOL_NOTE = """# Using tools
You can call the tools provided to you. Make at most one tool call at a time and wait for its result
before the next. Only use information from the user and from tool results; never make up
identifiers or values. Before any action that changes the user's records, describe the action
with its details and obtain the user's explicit confirmation (yes) first; once the user has said
yes, make that tool call in your very next message instead of asking again. Transfer the user to a
human agent only when their request cannot be handled with your tools and this policy."""

JUDGE_RULES = """You judge a simulated customer. The customer was given the instruction below and must follow it
exactly: ask only for what it says, with the values it says, reveal information only when asked,
never invent facts, and end the conversation (###STOP###) only when everything in it has been
done or refused.

Given the conversation so far and several candidate next messages of the customer, score each
candidate from 0 (contradicts the instruction: asks for something else, changes a value, invents a
fact, ends the conversation too early) to 10 (fully consistent with the instruction and a natural
next message). Answer with JSON only: {"scores": [s1, s2, ...]}, one number per candidate, in order."""


def human_system_prompt(instruction: str) -> str:
    """The simulated user's system prompt: rules, the instruction, and the simulator's context tag."""
    return (
        f"{HUMAN_RULES}\n\n# Instruction\n{instruction.strip()}\n\n"
        f"{context_tag.embed('human', {'instruction': instruction})}"
    )


def agent_system_prompt(policy_text: str) -> str:
    """The agent's system prompt: the domain policy and the tool-use note. No context tag, ever:
    this text is published as the dataset's `system` column."""
    return f"{policy_text.strip()}\n\n{AGENT_TOOL_NOTE}"


def user_view(turns: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    """The conversation as the user saw it: [{"role": "agent"|"user", "content"}]."""
    return [{"role": "user" if who == "me" else "agent", "content": text} for who, text in turns]


def judge_messages(instruction: str, conversation: Sequence[dict[str, str]], candidates: Sequence[str]) -> list[Message]:
    """The judge's prompt for one user turn: instruction, conversation so far, candidates."""
    convo = "\n".join(f"{m['role'].upper()}: {m['content']}" for m in conversation) or "(the conversation has not started)"
    cands = "\n".join(f"[{i}] {c}" for i, c in enumerate(candidates))
    payload: dict[str, Any] = {
        "instruction": instruction, "conversation": list(conversation), "candidates": list(candidates),
    }
    system = (
        f"{JUDGE_RULES}\n\n# Instruction\n{instruction.strip()}\n\n# Conversation so far\n{convo}\n\n"
        f"# Candidate next messages of the customer\n{cands}\n\n{context_tag.embed('judge', payload)}"
    )
    return [
        Message(role="system", content=system),
        Message(role="user", content=f"Score the {len(candidates)} candidates. Reply with JSON only: "
                                     + json.dumps({"scores": ["..."] * len(candidates)})),
    ]
