//! The whole front: rule → parsed tree → IR, with every error as a located diagnostic.

use std::path::Path;

use spl_grammar::{Diagnostic, Error, MacroTable, ParsedRule, Phase, RuleFile};

use crate::ir::Program;
use crate::lower::{lower_with_source, LowerError};

/// A rule that compiled to the IR.
#[derive(Clone, Debug)]
pub struct CompiledRule {
    /// The rule file's content (metadata and logic).
    pub rule: RuleFile,
    /// The front end's result (trees, expanded text, notes).
    pub parsed: ParsedRule,
    /// The lowered program.
    pub program: Program,
    /// Warnings about the rule ([`crate::lint`]), located in the rule file. The front
    /// end's notes are in [`ParsedRule::notes`].
    pub warnings: Vec<Diagnostic>,
}

/// Why a rule did not compile: the errors of the first phase that failed (one for load,
/// parse and macro; all of them for lower).
#[derive(Clone, Debug)]
pub struct CompileErrors(pub Vec<Error>);

impl CompileErrors {
    /// The phase that failed.
    pub fn phase(&self) -> Option<Phase> {
        self.0.first().map(|e| e.phase)
    }
}

impl std::fmt::Display for CompileErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CompileErrors {}

impl From<Error> for CompileErrors {
    fn from(e: Error) -> Self {
        CompileErrors(vec![e])
    }
}

/// Compile a loaded rule.
///
/// Parsing and lowering recurse once per level of nesting of the rule (up to the parser's
/// limits), so they run with [`STACK`] bytes of stack, whatever the calling thread's is
/// (see [`on_compiler_stack`]).
pub fn compile_rule(rule: RuleFile, macros: &MacroTable) -> Result<CompiledRule, CompileErrors> {
    on_compiler_stack(|| {
        let parsed = spl_grammar::parse_rule(&rule, macros)?;
        let program = lower_parsed(&parsed)?;
        let warnings = crate::lint::lint(&parsed);
        Ok((parsed, program, warnings))
    })
    .map(|(parsed, program, warnings)| CompiledRule {
        rule,
        parsed,
        program,
        warnings,
    })
}

/// The stack the compiler's recursive passes (parsing, lowering, code generation and its
/// formatting) run on: enough for the deepest rule the parser accepts, in any build.
pub const STACK: usize = 64 << 20;

/// Runs `f` with [`STACK`] bytes of stack (less the few frames of this call): on the
/// calling thread's own stack when that much of it is left (as inside
/// [`with_stack_for_many`]), else on a new stack of that size, mapped for the call and
/// released after it.
pub fn on_compiler_stack<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(STACK, STACK, f)
}

/// Runs `f`, which compiles many rules, on one stack with room for the passes of each, so
/// that they do not map a stack of their own one rule at a time (a pack of 1,885 rules
/// mapped and released 3,770 stacks of [`STACK`] bytes as it was compiled and loaded into
/// the evaluator; sharing one took its loading from 0.30 to 0.20 s).
pub fn with_stack_for_many<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(2 * STACK, 2 * STACK, f)
}

/// Load and compile a rule file (`.yml`/`.yaml` rule or bare `.spl`).
pub fn compile_file(
    path: impl AsRef<Path>,
    macros: &MacroTable,
) -> Result<CompiledRule, CompileErrors> {
    let rule = spl_grammar::load_rule(path)?;
    compile_rule(rule, macros)
}

/// Compile SPL text (named `name` in diagnostics).
pub fn compile_spl(
    text: &str,
    name: &str,
    macros: &MacroTable,
) -> Result<CompiledRule, CompileErrors> {
    compile_rule(RuleFile::from_spl_str(text, name), macros)
}

/// Lower a parsed rule; errors point into the rule file.
pub fn lower_parsed(parsed: &ParsedRule) -> Result<Program, CompileErrors> {
    lower_with_source(&parsed.expanded, &parsed.expanded_text)
        .map_err(|errors| CompileErrors(errors.into_iter().map(|e| to_error(parsed, e)).collect()))
}

fn to_error(parsed: &ParsedRule, e: LowerError) -> Error {
    let label = if e.label.is_empty() {
        "here".to_owned()
    } else {
        e.label
    };
    let mut d = Diagnostic::error(e.code, e.message).with_primary(e.span, label);
    for n in e.notes {
        d = d.with_note(n);
    }
    parsed.error(Phase::Lower, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the stack is now: the address of a local.
    #[inline(never)]
    fn here() -> usize {
        let local = 0u8;
        std::hint::black_box(&local) as *const u8 as usize
    }

    #[test]
    fn the_compiler_stack_has_room_whatever_the_thread() {
        // A test thread's stack is a few megabytes: a stack of its own is mapped.
        let outer = here();
        let (room, inner) = on_compiler_stack(|| (stacker::remaining_stack(), here()));
        assert!(room.is_some_and(|r| r > STACK - (1 << 16)), "{room:?}");
        assert!(outer.abs_diff(inner) > 1 << 20, "ran on the caller's stack");
    }

    #[test]
    fn rules_compiled_together_share_one_stack() {
        with_stack_for_many(|| {
            let outer = here();
            for _ in 0..3 {
                let (room, inner) = on_compiler_stack(|| (stacker::remaining_stack(), here()));
                assert!(room.is_some_and(|r| r > STACK - (1 << 16)), "{room:?}");
                // The same stack, a few frames deeper: no new one was mapped.
                assert!(outer.abs_diff(inner) < 1 << 16, "{outer:#x} {inner:#x}");
            }
            let macros = MacroTable::new();
            let rule = compile_spl("a=1 | where b>2", "r", &macros).expect("compiles");
            assert_eq!(rule.program.stages().len(), 1);
        });
    }
}
