// The CodeMirror 6 editor of the IDE: Python, line numbers, bracket matching, search, undo
// (all from basicSetup), lint gutter + underlines for build diagnostics, Ctrl+S.
import {
  EditorState, EditorView, basicSetup, keymap, indentWithTab, indentUnit, python, lintGutter, setDiagnostics,
} from "../vendor/codemirror.bundle.js";

/**
 * Build diagnostics ({line, col, end_line?, end_col?, severity, message}, 1-based) to
 * CodeMirror ranges. Without an end, underline the word (or character) at the column so the
 * mark sits on the right span rather than the whole line.
 */
export function toCmDiagnostics(doc, diagnostics) {
  return diagnostics.map((d) => {
    const line = doc.line(Math.min(Math.max(d.line ?? 1, 1), doc.lines));
    let from = line.from + Math.min(Math.max((d.col ?? 1) - 1, 0), line.length);
    let to = from;
    if (d.end_line && d.end_col) {
      const endLine = doc.line(Math.min(Math.max(d.end_line, 1), doc.lines));
      to = endLine.from + Math.min(Math.max(d.end_col - 1, 0), endLine.length);
    }
    if (to <= from) {
      const rest = line.text.slice(from - line.from);
      const word = /^[A-Za-z_0-9]+/.exec(rest);
      to = from + (word ? word[0].length : 1);
      if (to > line.to) { // error at the end of the line: mark its last character
        from = Math.max(line.from, line.to - 1);
        to = line.to;
      }
    }
    return { from, to, severity: d.severity === "warning" ? "warning" : "error", message: d.message, source: "build" };
  });
}

/** Create the editor in `parent`; `onChange(state)` runs after each edit, `onSave` on Ctrl+S. */
export function createEditor(parent, { onChange, onSave }) {
  const extensions = [
    basicSetup,
    python(),
    indentUnit.of("    "), // PEP 8; CodeMirror's default of two spaces mis-indents Python bodies
    EditorState.tabSize.of(4),
    lintGutter(),
    keymap.of([
      { key: "Mod-s", preventDefault: true, run: () => { onSave?.(); return true; } },
      indentWithTab,
    ]),
    EditorView.updateListener.of((u) => { if (u.docChanged) onChange?.(u.state); }),
  ];
  const view = new EditorView({ parent, state: EditorState.create({ doc: "", extensions }) });
  return {
    view,
    /** A fresh state (own undo history) for a file's text. */
    newState: (text) => EditorState.create({ doc: text, extensions }),
    setState: (state) => view.setState(state),
    text: () => view.state.doc.toString(),
    showDiagnostics(diagnostics) {
      view.dispatch(setDiagnostics(view.state, toCmDiagnostics(view.state.doc, diagnostics)));
    },
    goTo(line, col = 1) {
      const l = view.state.doc.line(Math.min(Math.max(line, 1), view.state.doc.lines));
      const pos = l.from + Math.min(Math.max(col - 1, 0), l.length);
      view.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: "center" }) });
      view.focus();
    },
  };
}
