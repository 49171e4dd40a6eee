"""Twitter tasks as the person; BFCL's posting methods check that they signed in."""

from __future__ import annotations

import random
from typing import Any

from domains.adapters.bfcl.configs import HANDLES
from domains.adapters.bfcl.database import WorldDatabase
from domains.adapters.bfcl.scenarios.common import profile, task
from domains.framework.sampling import TargetCall

TWITTER = "TwitterAPI"
POSTS = [
    ("Finished organising my files today, feels great", ["#productivity"], []),
    ("Road trip this weekend, any tips?", ["#travel", "#roadtrip"], []),
    ("Our team shipped the new release!", ["#launch"], ["@tech_guru"]),
    ("Budget analysis done, numbers look healthy", ["#finance"], []),
    ("Thanks for all the birthday wishes", [], []),
]
COMMENTS = ["Love this!", "Congratulations!", "Great point, thanks for sharing.", "Totally agree."]


def _api(db: WorldDatabase) -> Any:
    return db.live(TWITTER)


def _auth(db: WorldDatabase, user_id: str) -> list[TargetCall]:
    if _api(db).authenticated:
        return []
    me = profile(db, user_id)
    return [("authenticate_twitter", {"username": me["username"], "password": me["password"]})]


def post(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    content, tags, mentions = rng.choice(POSTS)
    args: dict[str, Any] = {"content": content}
    if tags:
        args["tags"] = list(tags)
    if mentions:
        args["mentions"] = list(mentions)
    return _auth(db, user_id) + [("post_tweet", args)]


def comment(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    tweets = sorted(_api(db).tweets)
    if not tweets:
        return None
    return _auth(db, user_id) + [("comment", {"tweet_id": rng.choice(tweets), "comment_content": rng.choice(COMMENTS)})]


def retweet(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    api = _api(db)
    done = api.retweets.get(api.username, [])
    others = sorted(t for t, tw in api.tweets.items() if tw["username"] != api.username and t not in done)
    if not others:
        return None
    return _auth(db, user_id) + [("retweet", {"tweet_id": rng.choice(others)})]


def follow(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    api = _api(db)
    new = [h for h in HANDLES if h not in api.following_list and h != api.username]
    if not new:
        return None
    return _auth(db, user_id) + [("follow_user", {"username_to_follow": rng.choice(new)})]


def unfollow(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    api = _api(db)
    if not api.following_list:
        return None
    return _auth(db, user_id) + [
        ("list_all_following", {}), ("unfollow_user", {"username_to_unfollow": rng.choice(sorted(api.following_list))}),
    ]


def mention(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    api = _api(db)
    mine = sorted(t for t, tw in api.tweets.items() if tw["username"] == api.username)
    if not mine:
        return None
    tweet_id = rng.choice(mine)
    who = [f"@{h}" for h in rng.sample(HANDLES, rng.randint(1, 2))]
    return [("get_tweet", {"tweet_id": tweet_id}), ("mention", {"tweet_id": tweet_id, "mentioned_usernames": who})]


SCENARIOS = [
    task("twitter_post", post, 1.5),
    task("twitter_comment", comment),
    task("twitter_retweet", retweet, 0.8),
    task("twitter_follow", follow, 0.8),
    task("twitter_unfollow", unfollow, 0.6),
    task("twitter_mention", mention, 0.6),
]
