//! Transfers between accounts: lock your own, then call the peer, whose
//! handler locks its own. The textbook deadlock, shipped to be found.
//!
//! Every node keeps an account, a balance behind a scheduler-aware `Mutex`. A
//! transfer from node `a` moves `amount` to its partner `b` (the node whose
//! id differs from `a` in the lowest bit): it locks `a`'s account, debits it,
//! calls `b` with the credit and waits for the answer, then unlocks. `b`'s
//! handler locks `b`'s account to credit it. Two transfers in opposite
//! directions that overlap each hold one account and wait for the other's:
//! a cycle through two calls and two locks. Whether they overlap depends on
//! the order of events at one instant, so a FIFO run can pass while another
//! schedule deadlocks: `p2psim check` finds, shrinks and replays it. With
//! `release_before_call = true` the origin unlocks before it calls, and no
//! cycle can form.

use std::cell::Cell;
use std::time::Duration;

use p2psim_runtime::Mutex;
use p2psim_sim::graph::NodeId;
use p2psim_sim::scenario::{Params, Scenario, ScenarioError};
use p2psim_sim::{request_kinds, Ctx, Incoming, Mechanism, Request, RequestOutcome};
use serde::{Deserialize, Serialize};

request_kinds! {
    /// What the transfer mechanism serves: one transfer to the origin's partner.
    pub enum TransferRequest { Transfer = "transfer" }
}

/// The transfer mechanism's messages.
#[derive(Clone, Debug)]
pub enum TransferMsg {
    /// Credit the receiver's account.
    Credit {
        /// How much.
        amount: u64,
    },
    /// The credit was applied.
    Credited,
}

/// Parameters of the transfer mechanism, from `[mechanism]`.
#[derive(Clone, Debug, PartialEq)]
pub struct TransferParams {
    /// Each account's opening balance: at most 2^62 - 1, and at most
    /// (2^64 - 1) / nodes, so that the report's totals fit 64 bits.
    pub balance: u64,
    /// How much a transfer moves.
    pub amount: u64,
    /// How long a transfer waits for the credit's answer; `None` (`timeout = 0`) waits forever.
    pub timeout: Option<Duration>,
    /// Whether the origin unlocks its account before it calls (the fix).
    pub release_before_call: bool,
}

impl TransferParams {
    /// Reads and checks the parameters; with `nodes` accounts, what they hold
    /// in all must fit the report's 64 bits.
    pub fn from_params(p: &Params, nodes: Option<usize>) -> Result<Self, ScenarioError> {
        let accounts = nodes.unwrap_or(1).max(1) as u64;
        let most = (u64::MAX / 4).min(u64::MAX / accounts);
        let balance = p.u64_in("balance", 100, 0, u64::MAX / 4)?;
        if balance > most {
            return Err(p.error(
                "balance",
                format!(
                    "{accounts} accounts of {balance} each hold more than 2^64 - 1 in all, \
                     which the report's totals cannot count"
                ),
                format!("use balance <= {most} for {accounts} nodes"),
            ));
        }
        let amount = p.u64_in("amount", 1, 1, u64::MAX / 4)?;
        let timeout = p.f64_in("timeout", 0.0, 0.0, 1e9)?;
        let release_before_call = p.bool("release_before_call", false)?;
        Ok(TransferParams {
            balance,
            amount,
            timeout: (timeout > 0.0).then(|| Duration::from_secs_f64(timeout)),
            release_before_call,
        })
    }
}

/// The transfer mechanism's figures in `summary.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TransferReport {
    /// Transfers that got their answer.
    pub completed: u64,
    /// Transfers whose call timed out (their credit may still land later).
    pub timed_out: u64,
    /// Transfers whose origin had too little money.
    pub refused: u64,
    /// Every account's balance summed at the end.
    pub total_balance: u64,
    /// What the accounts held at the start.
    pub opening_total: u64,
    /// Whether the origin unlocked before it called.
    pub release_before_call: bool,
}

/// `v` in 64 bits, saturated.
fn narrow(v: u128) -> u64 {
    u64::try_from(v).unwrap_or(u64::MAX)
}

/// The transfer mechanism.
pub struct Transfer {
    params: TransferParams,
    accounts: std::cell::RefCell<Vec<Mutex<u64>>>,
    completed: Cell<u64>,
    timed_out: Cell<u64>,
    refused: Cell<u64>,
}

impl Transfer {
    /// Node `n`'s partner: the node whose id differs in the lowest bit.
    fn partner(n: NodeId, nodes: usize) -> Option<NodeId> {
        let p = n ^ 1;
        ((p as usize) < nodes).then_some(p)
    }

    fn account(&self, n: NodeId) -> Mutex<u64> {
        self.accounts.borrow()[n as usize].clone()
    }
}

impl Mechanism for Transfer {
    const KIND: &'static str = "transfer";
    type Params = TransferParams;
    type Request = TransferRequest;
    type Msg = TransferMsg;
    type Report = TransferReport;

    fn params(table: &Params, scenario: &Scenario) -> Result<TransferParams, ScenarioError> {
        TransferParams::from_params(table, scenario.nodes())
    }

    fn new(params: TransferParams) -> Self {
        Transfer {
            params,
            accounts: std::cell::RefCell::new(Vec::new()),
            completed: Cell::new(0),
            timed_out: Cell::new(0),
            refused: Cell::new(0),
        }
    }

    fn install(self: &std::rc::Rc<Self>, ctx: &Ctx<Self>) {
        let accounts = (0..ctx.net.node_count())
            .map(|n| Mutex::named(&format!("account of node {n}"), self.params.balance))
            .collect();
        *self.accounts.borrow_mut() = accounts;
    }

    fn handle(&self, _ctx: &Ctx<Self>, m: Incoming<TransferMsg>) {
        if let TransferMsg::Credit { amount } = m.msg {
            let account = self.account(m.to);
            *account.lock() += amount;
            if let Some(reply) = m.reply {
                reply.send(TransferMsg::Credited);
            }
        }
    }

    fn message_kind(m: &TransferMsg) -> &'static str {
        match m {
            TransferMsg::Credit { .. } => "credit",
            TransferMsg::Credited => "credited",
        }
    }

    fn request(&self, ctx: &Ctx<Self>, req: &Request<TransferRequest>) -> RequestOutcome {
        let (me, amount) = (req.origin, self.params.amount);
        let Some(peer) = Self::partner(me, ctx.net.node_count()) else {
            return RequestOutcome::failed();
        };
        let account = self.account(me);
        let mut mine = account.lock();
        if *mine < amount {
            self.refused.set(self.refused.get() + 1);
            return RequestOutcome::failed();
        }
        *mine -= amount;
        if self.params.release_before_call {
            drop(mine);
        }
        let wait = self.params.timeout.unwrap_or(Duration::MAX);
        let answered = ctx
            .net
            .call(me, peer, TransferMsg::Credit { amount }, wait)
            .is_ok();
        if !answered {
            self.timed_out.set(self.timed_out.get() + 1);
        } else {
            self.completed.set(self.completed.get() + 1);
        }
        RequestOutcome::from_success(answered)
    }

    fn report(&self) -> TransferReport {
        let accounts = self.accounts.borrow();
        TransferReport {
            completed: self.completed.get(),
            timed_out: self.timed_out.get(),
            refused: self.refused.get(),
            // Summed wide: the parameters keep the totals within 64 bits, and a
            // network made by hand that passes them saturates rather than wraps.
            total_balance: narrow(accounts.iter().map(|a| u128::from(a.peek(|b| *b))).sum()),
            opening_total: narrow(u128::from(self.params.balance) * accounts.len() as u128),
            release_before_call: self.params.release_before_call,
        }
    }
}
