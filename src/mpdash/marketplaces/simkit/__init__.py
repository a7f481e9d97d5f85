"""The simulator toolkit: what every marketplace simulator is built from.

A simulator is a marketplace's API served on a local port for tests, the demo and
benchmarks. The toolkit holds what does not depend on the marketplace:

* :mod:`.pipeline`: the request pipeline (count → latency → route → fault → credentials →
  rate window → endpoint) an :class:`Api` fills with routes, error body and credential check;
* :mod:`.control` and :mod:`.lifecycle`: the ``/_sim/`` control API, :class:`Simulator`
  (start, stop, context manager, configure, reset, options, counters), ``serve()``/``main()``;
* :mod:`.clock`: the one clock model (lazy advance on demand, fast or stepped clocks), timed
  events, the asynchronous batch queue and the ticker of recurring events;
* :mod:`.state`: the base of a simulator's in-memory marketplace;
* :mod:`.options`: declarative options with validation; :mod:`.faults`: fault injection and
  rate windows; :mod:`.machines`: state machines; :mod:`.listings`: a listing store with
  history per key; :mod:`.shopper`: the deterministic shopper; :mod:`.sample_data`: the one
  copy of made-up people, places and catalog words;
* :mod:`.wire` and :mod:`.server`: answers, bodies and the HTTP plumbing.

Nothing here names a marketplace; each one's routes, bodies, rules and data stay in its
own ``marketplaces/<name>/simulator/`` package.
"""

from .clock import Approvals, Batch, BatchQueue, Clock, Ticker, Timeline
from .control import Call, ControlApi, control
from .faults import BASE_FAULT_MODES, FaultSlot, RateWindows, validate_fault
from .lifecycle import Simulator, run_main, serve_factory
from .listings import ListingStore
from .machines import StateMachine
from .options import Option, OptionSet
from .pipeline import Api, RateWindow, Request, Route, reset_header, route
from .server import SimulatorHandler, SimulatorServer, run_until_signal
from .shopper import Person, basket, person
from .state import SimState
from .wire import Answer, Part, Refusal, basic_credentials, blank, first, is_int, is_number, json_body, multipart_parts

__all__ = [
    "BASE_FAULT_MODES", "Answer", "Api", "Approvals", "Batch", "BatchQueue", "Call", "Clock", "ControlApi", "FaultSlot",
    "ListingStore", "Option", "OptionSet", "Part", "Person", "RateWindow", "RateWindows", "Refusal", "Request",
    "Route", "SimState", "Simulator", "SimulatorHandler", "SimulatorServer", "StateMachine", "Ticker", "Timeline",
    "basic_credentials", "basket", "blank", "control", "first", "is_int", "is_number", "json_body", "multipart_parts", "person",
    "reset_header", "route", "run_main", "run_until_signal", "serve_factory", "validate_fault",
]
