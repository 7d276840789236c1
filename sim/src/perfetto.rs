//! A run as a trace a person can look at: Chrome trace-event JSON, which
//! Perfetto (ui.perfetto.dev) and chrome://tracing open.
//!
//! Virtual time is the time axis (microseconds). Each node is a process
//! (`node 3`), with one thread track per task that ran there; the simulation's
//! own tasks (setup, load drivers, daemons) are the process `simulation`. A
//! task is one slice from its spawn to its end, holding a slice for every
//! wait (`waits on mutex 'account of node 1'`); a task still waiting when the
//! run stopped (a deadlock) waits to the end of the trace. Every message is a
//! flow arrow from the task that sent it to the task that served it (or, for
//! a reply, to the caller). A trace holds at most `limit` events; past it,
//! recording stops and the file says so.

use std::collections::{BTreeMap, VecDeque};

use p2psim_runtime::{SimTime, TaskId, TraceEvent, Tracer, WaitKind};
use serde_json::{json, Value};

use crate::graph::NodeId;

/// The default cap on recorded events.
pub const DEFAULT_LIMIT: usize = 500_000;

/// The events of one run, kept until it is written.
#[derive(Debug)]
pub struct TraceLog {
    limit: usize,
    recorded: usize,
    truncated: bool,
    tasks: BTreeMap<TaskId, TaskTrack>,
    /// Messages on the wire, in the order they come off it.
    in_flight: VecDeque<Flow>,
    flows: Vec<Arrow>,
    next_flow: u64,
    end: SimTime,
    marks: Vec<(SimTime, String)>,
}

#[derive(Debug, Default)]
struct TaskTrack {
    name: String,
    parent: Option<TaskId>,
    node: Option<NodeId>,
    spawned: SimTime,
    ended: Option<SimTime>,
    /// Waits: (from, until, what); `until` `None` while waiting.
    waits: Vec<(SimTime, Option<SimTime>, String)>,
}

/// A message's arrow: (id, sender, sent, receiver, received).
type Arrow = (u64, Option<TaskId>, SimTime, Option<TaskId>, SimTime);

#[derive(Debug)]
struct Flow {
    id: u64,
    sender: Option<TaskId>,
    sent: SimTime,
}

impl TraceLog {
    /// An empty trace keeping at most `limit` events.
    pub fn new(limit: usize) -> Self {
        TraceLog {
            limit: limit.max(1),
            recorded: 0,
            truncated: false,
            tasks: BTreeMap::new(),
            in_flight: VecDeque::new(),
            flows: Vec::new(),
            next_flow: 0,
            end: SimTime::ZERO,
            marks: Vec::new(),
        }
    }

    /// Whether one more event fits; counts it.
    fn room(&mut self) -> bool {
        if self.recorded >= self.limit {
            self.truncated = true;
            return false;
        }
        self.recorded += 1;
        true
    }

    /// Task `id` serves at `node` (its track goes under that node).
    pub fn task_at(&mut self, id: TaskId, node: NodeId) {
        if let Some(t) = self.tasks.get_mut(&id) {
            t.node = Some(node);
        }
    }

    /// A message went on the wire at `at`, sent by task `sender` (if a task sent it).
    pub fn sent(&mut self, at: SimTime, sender: Option<TaskId>) {
        self.next_flow += 1;
        self.in_flight.push_back(Flow {
            id: self.next_flow,
            sender,
            sent: at,
        });
    }

    /// The next message came off the wire at `at` and is served by task
    /// `receiver` (`None`: lost, or served by no task).
    pub fn arrived(&mut self, at: SimTime, receiver: Option<TaskId>) {
        let Some(flow) = self.in_flight.pop_front() else {
            return;
        };
        if receiver.is_some() && self.room() {
            self.flows
                .push((flow.id, flow.sender, flow.sent, receiver, at));
        }
    }

    /// Notes the run's end (and the failure, if any) at `at`.
    pub fn finish(&mut self, at: SimTime, failure: Option<String>) {
        self.end = self.end.max(at);
        if let Some(f) = failure {
            self.marks.push((at, f));
        }
    }

    /// The trace as Chrome trace-event JSON.
    pub fn to_json(&self, title: &str) -> Value {
        let us = |t: SimTime| t.as_nanos() as f64 / 1e3;
        let mut events = Vec::new();
        let mut nodes: BTreeMap<u64, String> = BTreeMap::new();
        nodes.insert(0, "simulation".to_string());
        let node_of = |id: TaskId| self.node_of(id);
        for (id, t) in &self.tasks {
            let node = node_of(*id);
            let pid = node.map_or(0, |n| u64::from(n) + 1);
            if let Some(n) = node {
                nodes.insert(pid, format!("node {n}"));
            }
            let tid = id.as_u64();
            events.push(json!({"ph": "M", "name": "thread_name", "pid": pid, "tid": tid, "args": {"name": t.name}}));
            let end = t.ended.unwrap_or(self.end);
            events.push(json!({
                "ph": "X", "name": t.name, "cat": "task", "pid": pid, "tid": tid,
                "ts": us(t.spawned), "dur": us(end) - us(t.spawned),
                "args": {"task": tid, "ended": t.ended.is_some()}
            }));
            for (from, until, what) in &t.waits {
                let until = until.unwrap_or(self.end);
                events.push(json!({
                    "ph": "X", "name": what, "cat": "wait", "pid": pid, "tid": tid,
                    "ts": us(*from), "dur": us(until) - us(*from),
                }));
            }
        }
        for (id, sender, sent, receiver, got) in &self.flows {
            let place = |task: &Option<TaskId>| match task {
                Some(t) => (node_of(*t).map_or(0, |n| u64::from(n) + 1), t.as_u64()),
                None => (0, 0),
            };
            let (spid, stid) = place(sender);
            let (rpid, rtid) = place(receiver);
            events.push(json!({"ph": "s", "name": "message", "cat": "message", "id": id, "pid": spid, "tid": stid, "ts": us(*sent)}));
            events.push(json!({"ph": "f", "bp": "e", "name": "message", "cat": "message", "id": id, "pid": rpid, "tid": rtid, "ts": us(*got)}));
        }
        for (at, text) in &self.marks {
            events.push(
                json!({"ph": "i", "s": "g", "name": text, "pid": 0, "tid": 0, "ts": us(*at)}),
            );
        }
        for (pid, name) in nodes {
            events.push(
                json!({"ph": "M", "name": "process_name", "pid": pid, "args": {"name": name}}),
            );
            events.push(json!({"ph": "M", "name": "process_sort_index", "pid": pid, "args": {"sort_index": pid}}));
        }
        json!({
            "traceEvents": events,
            "displayTimeUnit": "ms",
            "otherData": {
                "title": title,
                "time": "virtual time, in microseconds",
                "events_recorded": self.recorded,
                "limit": self.limit,
                "truncated": self.truncated,
                "note": if self.truncated {
                    format!("recording stopped after {} events: the run went on beyond what is shown", self.limit)
                } else {
                    "every event of the run".to_string()
                },
            }
        })
    }

    /// The node a task's track goes under: where it was said to serve, or
    /// its name's node, else its spawner's.
    fn node_of(&self, mut id: TaskId) -> Option<NodeId> {
        for _ in 0..64 {
            let t = self.tasks.get(&id)?;
            if t.node.is_some() {
                return t.node;
            }
            id = t.parent?;
        }
        None
    }
}

impl Tracer for TraceLog {
    fn record(&mut self, at: SimTime, event: TraceEvent<'_>) {
        self.end = self.end.max(at);
        if !self.room() {
            return;
        }
        match event {
            TraceEvent::Spawned { id, parent, name } => {
                let node = name.kind_and_node().map(|(_, n)| n);
                self.tasks.insert(
                    id,
                    TaskTrack {
                        name: name.to_string(),
                        parent,
                        node,
                        spawned: at,
                        ..TaskTrack::default()
                    },
                );
            }
            TraceEvent::Parked {
                id,
                waits_on,
                object,
            } => {
                if let Some(t) = self.tasks.get_mut(&id) {
                    let what = match (waits_on, object) {
                        (WaitKind::Sleep, _) => "sleeps".to_string(),
                        (k, Some(o)) => format!("waits on {} '{o}'", k.as_str()),
                        (k, None) => format!("waits on {}", k.as_str()),
                    };
                    t.waits.push((at, None, what));
                }
            }
            TraceEvent::Resumed { id } => {
                if let Some(w) = self.tasks.get_mut(&id).and_then(|t| t.waits.last_mut()) {
                    if w.1.is_none() {
                        w.1 = Some(at);
                    }
                }
            }
            TraceEvent::Ended { id } => {
                if let Some(t) = self.tasks.get_mut(&id) {
                    t.ended = Some(at);
                }
            }
        }
    }
}

/// A trace log shared by the runtime (as its tracer) and the network.
#[derive(Clone, Debug)]
pub struct SharedTrace(pub std::rc::Rc<std::cell::RefCell<TraceLog>>);

impl Tracer for SharedTrace {
    fn record(&mut self, at: SimTime, event: TraceEvent<'_>) {
        self.0.borrow_mut().record(at, event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p2psim_runtime::TaskName;

    #[test]
    fn tasks_are_slices_on_their_node_with_their_waits_and_messages_are_flows() {
        let mut log = TraceLog::new(100);
        let t = |n: u64| SimTime::from_nanos(n * 1000);
        let setup = TaskName::from("setup");
        let handler = TaskName::at_node("credit", 1);
        let ids: Vec<TaskId> = {
            // Task ids come from a runtime; two spawned ones stand in here.
            let mut rt = p2psim_runtime::Runtime::new(Default::default());
            let a = rt.spawn("a", || ());
            let b = rt.spawn("b", || ());
            vec![a.id(), b.id()]
        };
        log.record(
            t(0),
            TraceEvent::Spawned {
                id: ids[0],
                parent: None,
                name: &setup,
            },
        );
        log.record(
            t(1),
            TraceEvent::Parked {
                id: ids[0],
                waits_on: WaitKind::Mutex,
                object: Some("account"),
            },
        );
        log.sent(t(1), Some(ids[0]));
        log.record(
            t(3),
            TraceEvent::Spawned {
                id: ids[1],
                parent: None,
                name: &handler,
            },
        );
        log.arrived(t(3), Some(ids[1]));
        log.record(t(4), TraceEvent::Resumed { id: ids[0] });
        log.record(t(5), TraceEvent::Ended { id: ids[1] });
        log.finish(t(6), Some("deadlock".into()));
        let json = log.to_json("test");
        let events = json["traceEvents"].as_array().unwrap();
        let named = |name: &str| events.iter().filter(|e| e["name"] == name).count();
        assert_eq!(named("waits on mutex 'account'"), 1);
        assert_eq!(named("message"), 2);
        assert!(events
            .iter()
            .any(|e| e["name"] == "process_name" && e["args"]["name"] == "node 1"));
        let wait = events.iter().find(|e| e["cat"] == "wait").unwrap();
        assert_eq!(
            (wait["ts"].as_f64(), wait["dur"].as_f64()),
            (Some(1.0), Some(3.0))
        );
        assert_eq!(json["otherData"]["truncated"], false);
        // A trace over its limit stops recording and says so.
        let mut small = TraceLog::new(1);
        small.record(
            t(0),
            TraceEvent::Spawned {
                id: ids[0],
                parent: None,
                name: &setup,
            },
        );
        small.record(t(1), TraceEvent::Ended { id: ids[0] });
        assert_eq!(small.to_json("t")["otherData"]["truncated"], true);
    }
}
