//! Plans to bytes and back with DataFusion's protobuf codecs (`datafusion-proto`), the
//! form in which a distributed engine such as Ballista ships plans from its scheduler to
//! its executors.
//!
//! The functions this crate adds to a plan (the search's matchers, `rex`'s regexes, the
//! evaluator's expressions, the `stats` accumulators) hold compiled state that has no
//! protobuf form. Each has a name unique to what it computes: the function and its quoted
//! arguments, e.g. `spl_field[Image="*\\cmd.exe"]`. A plan's bytes carry only those names,
//! and the receiving side finds each function by name in its own session. So both sides
//! hold the same rule pack, and the receiver, before decoding, lowers the same rules over a
//! table of the same schema and registers their functions ([`register_udfs`]). A function
//! that the receiver does not have makes decoding fail with its name; it never runs
//! something else.

use std::sync::Arc;

use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::{AggregateUDF, Expr, LogicalPlan, ScalarUDF};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::SessionContext;
use datafusion_proto::bytes::{
    logical_plan_from_bytes, logical_plan_to_bytes, physical_plan_from_bytes,
    physical_plan_to_bytes,
};

use crate::{DfRule, Error};

/// The user-defined functions a plan calls.
#[derive(Debug, Default)]
pub struct Udfs {
    /// Scalar functions (matchers, `rex`, `eval`, `bin`, ...), each once.
    pub scalar: Vec<Arc<ScalarUDF>>,
    /// Aggregate functions (`stats`), each once.
    pub aggregate: Vec<Arc<AggregateUDF>>,
}

/// Every function that `plan` calls, in its nodes, their expressions and subqueries,
/// each once (by name). DataFusion's own functions are listed too; [`register_udfs`]
/// leaves those that a session has already.
pub fn plan_udfs(plan: &LogicalPlan) -> Result<Udfs, Error> {
    let mut udfs = Udfs::default();
    plan.apply_with_subqueries(|node| {
        node.apply_expressions(|expr| {
            expr.apply(|e| {
                match e {
                    Expr::ScalarFunction(f)
                        if !udfs.scalar.iter().any(|u| u.name() == f.func.name()) =>
                    {
                        udfs.scalar.push(Arc::clone(&f.func));
                    }
                    Expr::AggregateFunction(f)
                        if !udfs.aggregate.iter().any(|u| u.name() == f.func.name()) =>
                    {
                        udfs.aggregate.push(Arc::clone(&f.func));
                    }
                    _ => {}
                }
                Ok(TreeNodeRecursion::Continue)
            })
        })
    })?;
    Ok(udfs)
}

/// Lower each of `rules` over the registered table `table` and register on `ctx` every
/// function their plans call that `ctx` does not have yet, so that plans of these rules
/// decoded on `ctx` ([`logical_from_bytes`], [`physical_from_bytes`]) find them. Rules
/// that cannot be lowered are left out (they have no plan to receive). Returns how many
/// functions were registered.
pub async fn register_udfs(
    ctx: &SessionContext,
    table: &str,
    rules: &[DfRule],
) -> Result<usize, Error> {
    let mut registered = 0;
    for rule in rules {
        let frame = match rule.frame(ctx, table).await {
            Ok(frame) => frame,
            Err(Error::Lower { .. }) => continue,
            Err(e) => return Err(e),
        };
        let udfs = plan_udfs(frame.logical_plan())?;
        for udf in udfs.scalar {
            if ctx.udf(udf.name()).is_err() {
                ctx.register_udf(udf.as_ref().clone());
                registered += 1;
            }
        }
        for udaf in udfs.aggregate {
            if ctx.udaf(udaf.name()).is_err() {
                ctx.register_udaf(udaf.as_ref().clone());
                registered += 1;
            }
        }
    }
    Ok(registered)
}

/// A logical plan as bytes. Its tables must be ones the codec knows how to describe (a
/// Parquet table registered by path, not an in-memory table).
pub fn logical_to_bytes(plan: &LogicalPlan) -> Result<Vec<u8>, Error> {
    Ok(logical_plan_to_bytes(plan)?.to_vec())
}

/// A logical plan from bytes, its functions found by name on `ctx` (see
/// [`register_udfs`]).
pub fn logical_from_bytes(bytes: &[u8], ctx: &SessionContext) -> Result<LogicalPlan, Error> {
    Ok(logical_plan_from_bytes(bytes, &ctx.task_ctx())?)
}

/// A physical plan as bytes (what an executor receives).
pub fn physical_to_bytes(plan: Arc<dyn ExecutionPlan>) -> Result<Vec<u8>, Error> {
    Ok(physical_plan_to_bytes(plan)?.to_vec())
}

/// A physical plan from bytes, its functions found by name on `ctx` (see
/// [`register_udfs`]).
pub fn physical_from_bytes(
    bytes: &[u8],
    ctx: &SessionContext,
) -> Result<Arc<dyn ExecutionPlan>, Error> {
    Ok(physical_plan_from_bytes(bytes, &ctx.task_ctx())?)
}
