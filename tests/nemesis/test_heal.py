#!/usr/bin/env python3
"""Unit tests of the heal's choice of durable operator changes to end (python3 -m unittest)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from heal import open_ends  # noqa: E402


def step(fault, op, phase, **kw):
    return {"at": float(fault), "fault": fault, "op": op, "phase": phase, **kw}


def applied(s, ok=True):
    return {**s, "t_ms": 1000 + s["fault"], "ok": ok, "note": "" if ok else "timed out"}


LOCK = (step(1, "lock", "begin", node="c1"), step(1, "lock", "end", node="c1"))
TUNE = (step(2, "tune", "begin", node="c0"), step(2, "tune", "end", node="c0"))
CUT = (step(3, "cut", "begin", node="w1", net="mgmt"), step(3, "cut", "end", node="w1",
                                                               net="mgmt"))
DEL = (step(4, "host_del", "begin", node="w2"), step(4, "host_del", "end", node="w2"))
SCHEDULE = [LOCK[0], TUNE[0], CUT[0], TUNE[1], LOCK[1], CUT[1], DEL[0], DEL[1]]


class OpenEndsTest(unittest.TestCase):
    def test_a_schedule_played_to_its_end_leaves_nothing_to_heal(self):
        self.assertEqual(open_ends([applied(s) for s in SCHEDULE], SCHEDULE), [])

    def test_an_end_that_failed_is_applied_again(self):
        done = [applied(s, ok=s is not TUNE[1]) for s in SCHEDULE]
        self.assertEqual(open_ends(done, SCHEDULE), [TUNE[1]])

    def test_an_end_that_failed_then_succeeded_is_not(self):
        done = [applied(s) for s in SCHEDULE]
        done.insert(3, applied(TUNE[1], ok=False))  # the first try, before the one that took
        self.assertEqual(open_ends(done, SCHEDULE), [])

    def test_a_reload_whose_end_failed_is_applied_again(self):
        reload = (step(5, "reload", "begin", node="c1", edit={"loss": 12}),
                  step(5, "reload", "end", node="c1", edit={"loss": 12}))
        schedule = SCHEDULE + list(reload)
        done = [applied(s, ok=s is not reload[1]) for s in schedule]
        self.assertEqual(open_ends(done, schedule), [reload[1]])

    def test_a_lock_whose_end_a_violation_cut_off_is_unlocked(self):
        done = [applied(s) for s in SCHEDULE[:4]]  # the schedule stopped before the unlock
        self.assertEqual(open_ends(done, SCHEDULE), [LOCK[1]])

    def test_a_cut_off_lock_is_unlocked_where_its_begin_locked(self):
        lock = (step(1, "lock", "begin"), step(1, "lock", "end"))  # as schedule.py writes it
        done = [{**applied(lock[0]), "node": "c0"}]  # nem_apply records the node it locked
        self.assertEqual(open_ends(done, [lock[0], lock[1]]), [{**lock[1], "node": "c0"}])

    def test_a_failed_unlock_is_tried_again_on_the_controller_it_named(self):
        lock = (step(1, "lock", "begin"), step(1, "lock", "end"))
        done = [{**applied(lock[0]), "node": "c1"}, {**applied(lock[1], ok=False), "node": "c1"}]
        self.assertEqual(open_ends(done, [lock[0], lock[1]]), [{**lock[1], "node": "c1"}])

    def test_links_and_faults_never_begun_are_left_to_the_heal_itself(self):
        done = [applied(s) for s in SCHEDULE[:3]]  # lock, tune and cut begun, nothing ended
        self.assertEqual(open_ends(done, SCHEDULE), [TUNE[1], LOCK[1]])


if __name__ == "__main__":
    unittest.main()
