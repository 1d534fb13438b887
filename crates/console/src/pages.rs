//! The HTML pages: the same view structs the JSON API serves, rendered on
//! the server (maud escapes every value), charts as inline SVG, no script.
//! Each page reloads itself every few seconds, so it follows new blocks
//! without JavaScript.

use alloy_primitives::Address;
use maud::{html, Markup, DOCTYPE};

use crate::{
    chart::{self, Series},
    views::{
        Amount, ChallengeRow, LeaseRow, NextTier, NodeDetail, NodeRow, OrderDetail, OrderRow,
        Overview, PricePoint, ProposalRow,
    },
};

/// Seconds between a page's reloads.
pub const REFRESH_SECS: u32 = 3;

/// Unix seconds as `2026-12-03 12:00:00 UTC`.
pub fn time(secs: u64) -> String {
    let fmt =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    i64::try_from(secs)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| format!("{secs} s"))
}

fn short(a: &Address) -> String {
    let s = a.to_checksum(None);
    format!("{}…{}", &s[..8], &s[s.len() - 4..])
}

fn node_link(a: &Address) -> Markup {
    html! { a href={ "/nodes/" (a) } title=(a) { (short(a)) } }
}

fn amounts(list: &[Amount]) -> Markup {
    html! {
        @if list.is_empty() { "—" }
        @for (i, a) in list.iter().enumerate() {
            @if i > 0 { ", " }
            (a.text)
        }
    }
}

/// The frame of every page.
pub fn layout(title: &str, head_block: u64, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta http-equiv="refresh" content=(REFRESH_SECS);
                title { (title) " · SPON console" }
                link rel="stylesheet" href="/console.css";
            }
            body {
                header {
                    a.brand href="/" { "SPON console" }
                    nav {
                        a href="/" { "Overview" }
                        a href="/nodes" { "Nodes" }
                        a href="/orders" { "Orders" }
                        a href="/leases" { "Leases" }
                        a href="/challenges" { "Challenges" }
                        a href="/proposals" { "Proposals" }
                        a href="/api" { "API" }
                    }
                    span.block #head-block { "block " (head_block) }
                }
                main { h1 { (title) } (body) }
            }
        }
    }
}

/// `n` and the noun, singular for one.
fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The overview page.
pub fn overview(o: &Overview, prices: &[PricePoint]) -> Markup {
    let by_model: Vec<(String, u64)> = o
        .gpus_by_model
        .iter()
        .map(|m| (m.model.clone(), m.gpus))
        .collect();
    let by_region: Vec<(String, u64)> = o
        .gpus_by_region
        .iter()
        .map(|(r, n)| (r.clone(), *n))
        .collect();
    layout(
        "Overview",
        o.block,
        html! {
            p.meta { "Block " (o.block) " at " (time(o.time)) " · " (o.events) " events indexed" }
            section.cards {
                div.card #nodes { b { (o.provider_nodes + o.fizz_nodes) } " nodes"
                    small { (o.provider_nodes) " Provider · " (o.fizz_nodes) " Fizz · " (o.active_nodes) " active" } }
                div.card #utilisation { b { (o.utilisation_percent) "%" } " utilisation"
                    small { (o.gpus_leased) " of " (o.gpus_available) " GPUs leased" } }
                div.card #open-orders { b { (o.open_orders) } " open orders" small { (o.orders) " in all" } }
                div.card #active-leases { b { (o.active_leases) } " active leases" small { (o.leases) " in all" } }
                div.card #staked { b { (o.total_staked.text) } " staked"
                    small { (counted(o.slashes, "slash", "slashes")) " · " (o.slashed.text) " slashed" } }
                div.card #reserve { b { (o.rewards_reserve.text) } " rewards reserve"
                    small { (counted(o.challenges, "challenge", "challenges")) " · "
                        (counted(o.proposals, "proposal", "proposals")) } }
            }
            section.charts {
                (chart::bars("GPUs of active nodes by model", &by_model))
                (chart::bars("GPUs of active nodes by region", &by_region))
            }
            h2 { "Volume and fees" }
            table #volume {
                thead { tr { th { "token" } th { "leases" } th { "paid to nodes" } th { "fees" } th { "deposited" } } }
                tbody {
                    @for v in &o.volume {
                        tr { td { (v.symbol) } td.num { (v.leases) } td.num { (v.paid.text) }
                             td.num { (v.fees.text) } td.num { (v.deposited.text) } }
                    }
                }
            }
            h2 { "Era rewards" }
            table #eras {
                thead { tr { th { "era" } th { "nodes" } th { "points" } th { "budget" } th { "paid" } th { "forfeited" } } }
                tbody {
                    @for e in &o.eras {
                        tr { td.num { (e.era) } td.num { (e.nodes) } td.num { (e.points) }
                             td.num { (e.budget.as_ref().map_or("not locked yet", |b| b.text.as_str())) }
                             td.num { (e.paid.text) } td.num { (e.forfeited.text) } }
                    }
                }
            }
            h2 { "Price per GPU-hour" }
            (price_chart(prices))
        },
    )
}

fn price_chart(prices: &[PricePoint]) -> Markup {
    let mut series: Vec<Series> = Vec::new();
    for p in prices {
        let name = format!("{} ({})", p.model, p.symbol);
        match series.iter_mut().find(|s| s.name == name) {
            Some(s) => s.points.push((p.hour as f64, p.price)),
            None => series.push(Series {
                name,
                points: vec![(p.hour as f64, p.price)],
            }),
        }
    }
    chart::lines(
        "average price per GPU-hour of leases opened, by hour",
        &series,
        |x| time(x as u64),
    )
}

fn pager(path: &str, offset: usize, limit: usize, shown: usize, total: usize) -> Markup {
    html! {
        p.pager {
            "Showing " (if shown == 0 { 0 } else { offset + 1 }) "–" (offset + shown) " of " (total) ". "
            @if offset > 0 {
                a href={ (path) "?offset=" (offset.saturating_sub(limit)) "&limit=" (limit) } { "← newer" } " "
            }
            @if offset + shown < total {
                a href={ (path) "?offset=" (offset + limit) "&limit=" (limit) } { "older →" }
            }
        }
    }
}

fn nodes_table(rows: &[NodeRow]) -> Markup {
    html! {
        table #nodes-table {
            thead { tr { th { "node" } th { "class" } th { "state" } th { "GPUs" } th { "model" } th { "VRAM / GPU" }
                         th { "region" } th { "tier" } th { "stake" } th { "delegators" } th { "leases done" }
                         th { "earned" } th { "era rewards" } } }
            tbody {
                @for n in rows {
                    tr { td { (node_link(&n.address)) } td { (n.class) } td { (n.state) } td.num { (n.gpus) }
                         td { (n.gpu_model) } td.num { (n.vram_gib_per_gpu) " GiB" } td { (n.region) }
                         td.num title=(n.next_tier.as_ref().map_or(String::new(), NextTier::text)) {
                             (n.tier.map_or("…".to_string(), |t| t.to_string())) }
                         td.num { (n.stake.as_ref().map_or("…", |s| s.text.as_str())) }
                         td.num { (n.delegators) } td.num { (n.leases_completed) }
                         td.num { (amounts(&n.earned)) } td.num { (n.rewards.text) } }
                }
            }
        }
    }
}

/// The nodes list.
pub fn nodes(head: u64, rows: &[NodeRow], offset: usize, limit: usize, total: usize) -> Markup {
    layout(
        "Nodes",
        head,
        html! { (nodes_table(rows)) (pager("/nodes", offset, limit, rows.len(), total)) },
    )
}

fn leases_table(rows: &[LeaseRow]) -> Markup {
    html! {
        table #leases-table {
            thead { tr { th { "lease" } th { "node" } th { "order" } th { "GPUs" } th { "state" } th { "price / h" }
                         th { "fee" } th { "paid to node" } th { "fees" } th { "tenant charged" } th { "funded" }
                         th { "paid until" } } }
            tbody {
                @for l in rows {
                    tr { td { a href={ "/leases/" (l.id) } { "#" (l.id) } } td { (node_link(&l.node)) }
                         td { @if let Some(o) = l.order_id { a href={ "/orders/" (o) } { "#" (o) } } @else { "—" } }
                         td.num { (l.gpus) } td { (l.state) } td.num { (l.price_per_hour.text) }
                         td.num { (l.fee_percent) "%" } td.num.paid { (l.paid.text) } td.num { (l.fees.text) }
                         td.num { (l.charged.text) } td.num { (l.funded.text) } td { (time(l.paid_until)) } }
                }
            }
        }
    }
}

fn challenges_table(rows: &[ChallengeRow]) -> Markup {
    html! {
        table #challenges-table {
            thead { tr { th { "challenge" } th { "kind" } th { "node" } th { "state" } th { "bond" }
                         th { "slash" } th { "slashed" } th { "lease" } } }
            tbody {
                @for c in rows {
                    tr { td { "#" (c.id) } td { (c.kind) } td { (node_link(&c.node)) } td { (c.state) }
                         td.num { (c.bond.text) }
                         td.num { (c.slash_percent.map_or("—".to_string(), |p| format!("{p}%"))) }
                         td.num { (c.slashed.text) }
                         td { @if let Some(l) = c.lease_id { a href={ "/leases/" (l) } { "#" (l) } } @else { "—" } } }
                }
            }
        }
    }
}

/// A node's page.
pub fn node(head: u64, n: &NodeDetail) -> Markup {
    let r = &n.row;
    layout(
        &format!("Node {}", short(&r.address)),
        head,
        html! {
            dl.facts {
                dt { "address" } dd #node-address { (r.address) }
                dt { "class" } dd { (r.class) } dt { "state" } dd { (r.state) }
                dt { "hardware" } dd #node-hardware { (r.gpus) " × " (r.gpu_model) ", " (r.vram_gib_per_gpu) " GiB each; "
                    (n.cpu_cores) " CPU cores, " (n.ram_gib) " GiB RAM, " (n.bandwidth_mbps) " Mbit/s, " (r.region) }
                @if let Some(p) = &n.pending_hardware { dt { "hardware awaiting approval" } dd { (p) } }
                dt { "tier" } dd { (r.tier.map_or("not read yet".to_string(), |t| t.to_string())) }
                @if let Some(next) = &r.next_tier { dt { "next tier" } dd #next-tier { (next.text()) } }
                dt { "pool stake" } dd { (r.stake.as_ref().map_or("…", |s| s.text.as_str())) }
                dt { "own stake" } dd { (n.self_stake.as_ref().map_or("…", |s| s.text.as_str())) }
                dt { "jailed" } dd { (n.jailed.map_or("…", |j| if j { "yes" } else { "no" })) }
                dt { "delegators" } dd { (r.delegators) }
                dt { "reputation" } dd { (r.leases_completed) " leases completed, " (n.leases_faulted) " faulted, "
                    (n.challenges_lost) " challenges lost, " (n.uptime_eras) " uptime eras" }
                dt { "lease income" } dd #node-earned { (amounts(&r.earned)) }
                dt { "era rewards" } dd { (r.rewards.text) " paid, " (n.forfeited.text) " forfeited" }
                dt { "slashed" } dd { (n.slashed.text) }
                @if !n.endpoint.is_empty() { dt { "endpoint" } dd { (n.endpoint) } }
                @if let Some(g) = &n.gateway { dt { "gateway" } dd { (g) } }
            }
            h2 { "Probes" }
            table #probes {
                thead { tr { th { "block" } th { "measured" } th { "GPUs found / declared" } th { "VRAM MiB found / declared" }
                             th { "GEMM GFLOP/s" } th { "memory GB/s" } th { "network Mbit/s found / declared" } } }
                tbody {
                    @for p in &n.probes {
                        tr { td.num { (p.block) } td { (time(p.measured_at)) } td.num { (p.gpus.0) " / " (p.gpus.1) }
                             td.num { (p.vram_mib.0) " / " (p.vram_mib.1) } td.num { (p.gemm_gflops) }
                             td.num { (p.mem_bandwidth_gbps) } td.num { (p.net_mbps.0) " / " (p.net_mbps.1) } }
                    }
                }
            }
            h2 { "Leases" }
            (leases_table(&n.leases))
            h2 { "Bids" }
            table #bids {
                thead { tr { th { "bid" } th { "order" } th { "price / h" } th { "state" } } }
                tbody {
                    @for b in &n.bids {
                        tr { td { "#" (b.id) } td { a href={ "/orders/" (b.order_id) } { "#" (b.order_id) } }
                             td.num { (b.price_per_hour.text) } td { (b.state) } }
                    }
                }
            }
            h2 { "Challenges" }
            (challenges_table(&n.challenges))
            h2 { "Era check-ins" }
            table #node-eras {
                thead { tr { th { "era" } th { "points" } } }
                tbody { @for (e, p) in &n.eras { tr { td.num { (e) } td.num { (p) } } } }
            }
        },
    )
}

fn orders_table(rows: &[OrderRow]) -> Markup {
    html! {
        table #orders-table {
            thead { tr { th { "order" } th { "state" } th { "GPUs" } th { "model" } th { "regions" } th { "max / h" }
                         th { "hours" } th { "deposit" } th { "bids" } th { "lease" } } }
            tbody {
                @for o in rows {
                    tr { td { a href={ "/orders/" (o.id) } { "#" (o.id) } } td { (o.state) } td.num { (o.gpus) }
                         td { (o.gpu_model) } td { (o.regions.join(", ")) } td.num { (o.max_price_per_hour.text) }
                         td.num { (o.hours) } td.num { (o.deposit.text) } td.num { (o.bids) }
                         td { @if let Some(l) = o.lease { a href={ "/leases/" (l) } { "#" (l) } } @else { "—" } } }
                }
            }
        }
    }
}

/// The orders list.
pub fn orders(head: u64, rows: &[OrderRow], offset: usize, limit: usize, total: usize) -> Markup {
    layout(
        "Orders",
        head,
        html! { (orders_table(rows)) (pager("/orders", offset, limit, rows.len(), total)) },
    )
}

/// An order's page.
pub fn order(head: u64, o: &OrderDetail) -> Markup {
    layout(
        &format!("Order #{}", o.row.id),
        head,
        html! {
            (orders_table(std::slice::from_ref(&o.row)))
            p { "Bids close at " (time(o.bid_deadline)) "." }
            h2 { "Bids" }
            table #order-bids {
                thead { tr { th { "bid" } th { "node" } th { "price / h" } th { "state" } } }
                tbody {
                    @for b in &o.bid_list {
                        tr { td { "#" (b.id) } td { (node_link(&b.node)) } td.num { (b.price_per_hour.text) } td { (b.state) } }
                    }
                }
            }
        },
    )
}

/// The leases list.
pub fn leases(head: u64, rows: &[LeaseRow], offset: usize, limit: usize, total: usize) -> Markup {
    layout(
        "Leases",
        head,
        html! { (leases_table(rows)) (pager("/leases", offset, limit, rows.len(), total)) },
    )
}

/// A lease's page.
pub fn lease(head: u64, l: &LeaseRow) -> Markup {
    layout(
        &format!("Lease #{}", l.id),
        head,
        html! {
            (leases_table(std::slice::from_ref(l)))
            dl.facts {
                dt { "tenant" } dd { (l.tenant) }
                dt { "term" } dd { (time(l.start)) " to " (time(l.end)) }
                dt { "paid to the node" } dd #lease-paid { (l.paid.text) }
                dt { "fees to the treasury" } dd #lease-fees { (l.fees.text) }
                dt { "tenant charged" } dd #lease-charged { (l.charged.text) }
                @if let Some(r) = &l.refund { dt { "refunded" } dd { (r.text) } }
            }
        },
    )
}

/// The challenges list.
pub fn challenges(
    head: u64,
    rows: &[ChallengeRow],
    offset: usize,
    limit: usize,
    total: usize,
) -> Markup {
    layout(
        "Challenges",
        head,
        html! { (challenges_table(rows)) (pager("/challenges", offset, limit, rows.len(), total)) },
    )
}

/// The proposals list.
pub fn proposals(
    head: u64,
    rows: &[ProposalRow],
    offset: usize,
    limit: usize,
    total: usize,
) -> Markup {
    layout(
        "Proposals",
        head,
        html! {
            table #proposals-table {
                thead { tr { th { "proposal" } th { "state" } th { "calls" } th { "for" } th { "against" }
                             th { "abstain" } th { "quorum" } th { "voting ends" } } }
                tbody {
                    @for p in rows {
                        tr { td { "#" (p.id) } td { (p.state) } td { (p.calls.join("; ")) } td.num { (p.votes_for.text) }
                             td.num { (p.votes_against.text) } td.num { (p.votes_abstain.text) }
                             td.num { (p.quorum.text) } td { (time(p.vote_end)) } }
                    }
                }
            }
            (pager("/proposals", offset, limit, rows.len(), total))
        },
    )
}

/// The API's index.
pub fn api(head: u64) -> Markup {
    layout(
        "JSON API",
        head,
        html! {
            p { "Read-only: GET and HEAD only. Lists take " code { "offset" } " and " code { "limit" }
                " (at most " (crate::views::MAX_LIMIT) ")." }
            ul {
                @for path in ["/api/overview", "/api/nodes", "/api/nodes/{address}", "/api/orders", "/api/orders/{id}",
                              "/api/leases", "/api/leases/{id}", "/api/challenges", "/api/proposals", "/api/prices"] {
                    li { code { (path) } }
                }
            }
        },
    )
}

/// A page for what is not there.
pub fn not_found(head: u64, what: &str) -> Markup {
    layout(
        "Not found",
        head,
        html! { p { (what) } p { a href="/" { "Back to the overview" } } },
    )
}

/// The stylesheet (served as a file: the CSP allows no inline style).
pub const CSS: &str = "\
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7fb}\
header{display:flex;gap:1.5em;align-items:center;padding:.6em 1.5em;background:#14213d;color:#fff}\
header a{color:#e5ecff;text-decoration:none;margin-right:1em}.brand{font-weight:700}\
.block{margin-left:auto;opacity:.8}main{padding:1em 1.5em}\
.cards{display:flex;flex-wrap:wrap;gap:1em}.card{background:#fff;border-radius:8px;padding:.8em 1.2em;\
box-shadow:0 1px 3px #0002;min-width:12em}.card b{font-size:1.6em;display:block}.card small{display:block;opacity:.7}\
.charts{display:flex;flex-wrap:wrap;gap:2em;margin-top:1.5em}\
table{border-collapse:collapse;background:#fff;margin:.5em 0 1.5em;box-shadow:0 1px 3px #0002}\
th,td{padding:.35em .7em;border-bottom:1px solid #e3e6ef;text-align:left}td.num{text-align:right}\
th{background:#eef1f8;font-weight:600}dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.3em 1.2em}\
dt{font-weight:600}dd{margin:0}.meta{opacity:.7}\
.chart{background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002;font-size:12px}\
.chart-title{font-weight:600}.bar{fill:#3a6ea5}.axis{stroke:#888}.line{fill:none;stroke-width:2}\
.dot{stroke:none}.legend{stroke:none}\
.line0{stroke:#3a6ea5;fill:#3a6ea5}.line1{stroke:#c0504d;fill:#c0504d}.line2{stroke:#4f8a3c;fill:#4f8a3c}\
.line3{stroke:#8064a2;fill:#8064a2}.line4{stroke:#d08a2c;fill:#d08a2c}.line5{stroke:#2c8ad0;fill:#2c8ad0}\
polyline.line{fill:none}";
