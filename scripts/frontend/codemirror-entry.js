// The one CodeMirror 6 entry point the IDE page imports (static/vendor/codemirror.bundle.js).
export { basicSetup, minimalSetup } from "codemirror";
export { EditorState, StateEffect, StateField, Compartment, RangeSetBuilder } from "@codemirror/state";
export { EditorView, keymap, lineNumbers, Decoration, gutter, GutterMarker, ViewPlugin } from "@codemirror/view";
export { python } from "@codemirror/lang-python";
export { defaultKeymap, history, historyKeymap, undo, redo, indentWithTab } from "@codemirror/commands";
export { searchKeymap, openSearchPanel, highlightSelectionMatches } from "@codemirror/search";
export { bracketMatching, syntaxHighlighting, defaultHighlightStyle, indentUnit } from "@codemirror/language";
export { setDiagnostics, lintGutter, linter, forEachDiagnostic, diagnosticCount } from "@codemirror/lint";
