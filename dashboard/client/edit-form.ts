/**
 * A GOV.UK Design System form for one change: labelled fields with hints, and, when the change cannot
 * be saved, an error summary at the top linking to each field and the same message beside the field.
 * The messages are the API's own (subgraph-kit/mutations/validation.ts reports each problem by its path
 * in the mutation's arguments, `update.responsibleOrganisations[1].connect[0].edge.until`): the form
 * finds the field each path ends in. A refused change (FORBIDDEN) says why beside the field it concerns.
 */
import { ErrorSummary } from "govuk-frontend";
import { ApiError, type ApiProblem } from "./api.js";
import { parseDate } from "./date-input.js";
import { h } from "./dom.js";

interface FieldBase {
  /** The field's name in the form's values, and the name the API's problem paths give it. */
  name: string;
  label: string;
  hint?: string;
  value?: string | null | undefined;
  /** What a message calls the field ("Until must not be…"): the label when not given. */
  called?: string;
}

export type Field =
  | (FieldBase & { kind: "text"; width?: "one-half" | "one-third" | "two-thirds"; autocomplete?: string })
  | (FieldBase & { kind: "select"; options: { value: string; text: string }[]; onchange?: (value: string) => void })
  | (FieldBase & { kind: "radios"; options: { value: string; text: string; hint?: string }[] })
  | (FieldBase & { kind: "date" });

export type Values = Record<string, string | null>;

export interface FormOptions {
  /** The prefix of the ids of the form's elements. */
  id: string;
  fields: Field[];
  submit: string;
  /** A warning button, for a removal. */
  warning?: boolean;
  /** More names the API's problem paths may end in, for a field: `{ id: "organisation" }` when the organisation is connected by its id. */
  aliases?: Record<string, string>;
  /** The field a refusal is shown beside (the organisation an editor may not change, say); the first field when not given. */
  refusalField?: string;
  /** Stores the change; an ApiError it throws is shown on the form. */
  save(values: Values): Promise<void>;
  cancel(): void;
}

interface RenderedField {
  field: Field;
  group: HTMLElement;
  /** The element an error summary link goes to. */
  target: string;
  read(): { value: string | null } | { error: string };
  showError(message: string | null): void;
}

const errorMessage = (id: string, message: string) =>
  h("p", { class: "govuk-error-message", id }, h("span", { class: "govuk-visually-hidden" }, "Error: "), message);

function renderField(prefix: string, field: Field): RenderedField {
  const id = `${prefix}-${field.name}`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const hint = field.hint ? h("div", { class: "govuk-hint", id: hintId }, field.hint) : null;
  const described = (error: boolean) => [field.hint ? hintId : "", error ? errorId : ""].filter(Boolean).join(" ");
  const group = h("div", { class: "govuk-form-group", id: `${id}-group` });
  let error: HTMLElement | null = null;
  const placeError = (message: string | null, before: Element, inputs: readonly Element[], errorClass: string, describedBy: Element) => {
    error?.remove();
    error = message === null ? null : errorMessage(errorId, message);
    if (error) before.before(error);
    group.classList.toggle("govuk-form-group--error", message !== null);
    for (const input of inputs) input.classList.toggle(errorClass, message !== null);
    const describing = described(message !== null);
    if (describing) describedBy.setAttribute("aria-describedby", describing);
    else describedBy.removeAttribute("aria-describedby");
  };

  if (field.kind === "text" || field.kind === "select") {
    const label = h("label", { class: "govuk-label govuk-label--s", for: id }, field.label);
    const input =
      field.kind === "text"
        ? h("input", {
            class: `govuk-input${field.width ? ` govuk-!-width-${field.width}` : ""}`,
            id,
            name: field.name,
            type: "text",
            spellcheck: "false",
            autocomplete: field.autocomplete ?? "off",
          })
        : h(
            "select",
            { class: "govuk-select", id, name: field.name, onchange: (event: Event) => field.onchange?.((event.target as HTMLSelectElement).value) },
            field.options.map((o) => h("option", { value: o.value }, o.text)),
          );
    input.value = field.value ?? "";
    if (field.hint) input.setAttribute("aria-describedby", hintId);
    group.append(label, ...(hint ? [hint] : []), input);
    const errorClass = field.kind === "text" ? "govuk-input--error" : "govuk-select--error";
    return {
      field,
      group,
      target: id,
      read: () => ({ value: input.value.trim() === "" ? null : input.value.trim() }),
      showError: (message) => placeError(message, input, [input], errorClass, input),
    };
  }

  const legend = h("legend", { class: "govuk-fieldset__legend govuk-fieldset__legend--s" }, field.label);
  if (field.kind === "radios") {
    const radios = field.options.map((o, i) => {
      const radioId = i === 0 ? id : `${id}-${i + 1}`;
      const input = h("input", { class: "govuk-radios__input", id: radioId, name: `${prefix}-${field.name}`, type: "radio", value: o.value });
      input.checked = o.value === field.value;
      const optionHint = o.hint ? h("div", { class: "govuk-hint govuk-radios__hint", id: `${radioId}-hint` }, o.hint) : null;
      if (optionHint) input.setAttribute("aria-describedby", `${radioId}-hint`);
      return {
        input,
        item: h("div", { class: "govuk-radios__item" }, input, h("label", { class: "govuk-label govuk-radios__label", for: radioId }, o.text), optionHint),
      };
    });
    const list = h(
      "div",
      { class: "govuk-radios", "data-module": "govuk-radios" },
      radios.map((r) => r.item),
    );
    const fieldset = h("fieldset", { class: "govuk-fieldset" }, legend, hint, list);
    if (field.hint) fieldset.setAttribute("aria-describedby", hintId);
    group.append(fieldset);
    return {
      field,
      group,
      target: id,
      read: () => ({ value: radios.find((r) => r.input.checked)?.input.value ?? null }),
      showError: (message) => placeError(message, list, [], "", fieldset),
    };
  }

  const part = (name: "day" | "month" | "year", text: string, width: number) => {
    const input = h("input", {
      class: `govuk-input govuk-date-input__input govuk-input--width-${width}`,
      id: `${id}-${name}`,
      name: `${id}-${name}`,
      type: "text",
      inputmode: "numeric",
    });
    return {
      input,
      item: h(
        "div",
        { class: "govuk-date-input__item" },
        h("div", { class: "govuk-form-group" }, h("label", { class: "govuk-label govuk-date-input__label", for: `${id}-${name}` }, text), input),
      ),
    };
  };
  const parts = [part("day", "Day", 2), part("month", "Month", 2), part("year", "Year", 4)] as const;
  const inputs = [parts[0].input, parts[1].input, parts[2].input] as const;
  const dateInput = h(
    "div",
    { class: "govuk-date-input", id },
    parts.map((p) => p.item),
  );
  const fieldset = h("fieldset", { class: "govuk-fieldset", role: "group" }, legend, hint, dateInput);
  if (field.hint) fieldset.setAttribute("aria-describedby", hintId);
  group.append(fieldset);
  const [year, month, day] = field.value ? field.value.split("-").map((p) => String(Number(p))) : ["", "", ""];
  [inputs[0].value, inputs[1].value, inputs[2].value] = [day ?? "", month ?? "", year ?? ""];
  return {
    field,
    group,
    target: `${id}-day`,
    read: () => {
      const read = parseDate(inputs[0].value.trim(), inputs[1].value.trim(), inputs[2].value.trim(), field.called ?? field.label);
      return "error" in read ? read : { value: read.date };
    },
    showError: (message) => placeError(message, dateInput, inputs, "govuk-input--error", fieldset),
  };
}

/** The field an API problem's path ends in: its last segment that names a field, ignoring `set`, `eq` and list positions. */
export function fieldOfPath(path: string, names: readonly string[], aliases: Record<string, string> = {}): string | undefined {
  const segments = path
    .split(".")
    .map((s) => s.replace(/\[\d+\]$/, ""))
    .reverse();
  for (const segment of segments) {
    if (names.includes(segment)) return segment;
    if (aliases[segment]) return aliases[segment];
  }
  return undefined;
}

/**
 * The problems of a BAD_USER_INPUT error. The gateway passes a subgraph error's message and code only,
 * so they are read from the message, which names each by its path: `update.name.set: is required…; input[0].id: …`.
 */
export function problemsOf(problem: ApiProblem): { field: string; message: string }[] {
  if (problem.extensions?.problems?.length) return problem.extensions.problems;
  const path = String.raw`[A-Za-z_]\w*(?:\[\d+\])*(?:\.[A-Za-z_]\w*(?:\[\d+\])*)*`;
  const parts = problem.message.replace(/; and \d+ more$/, "").split(new RegExp(`; (?=${path}: )`));
  const read = parts.map((part) => new RegExp(`^(${path}): ([\\s\\S]*)$`).exec(part));
  return read.every((r) => r !== null) ? read.map((r) => ({ field: r[1]!, message: r[2]! })) : [];
}

/** The messages to show for an API error: per field where its problems name one, and those that name none. */
function messagesOf(problems: readonly ApiProblem[], options: FormOptions): { field: string | undefined; message: string }[] {
  const names = options.fields.map((f) => f.name);
  const calledOf = (name: string) => {
    const field = options.fields.find((f) => f.name === name)!;
    return field.called ?? field.label;
  };
  const messages: { field: string | undefined; message: string }[] = [];
  for (const problem of problems) {
    const code = problem.extensions?.code;
    const listed = code === "BAD_USER_INPUT" ? problemsOf(problem) : [];
    if (listed.length) {
      for (const p of listed) {
        const field = fieldOfPath(p.field, names, options.aliases);
        messages.push({ field, message: field ? `${calledOf(field)} ${p.message}` : `${p.field}: ${p.message}` });
      }
    } else if (code === "FORBIDDEN" || code === "UNAUTHENTICATED") {
      messages.push({ field: options.refusalField ?? names[0], message: `This change was refused and nothing was saved. ${problem.message}` });
    } else {
      const field = problem.extensions?.field ? fieldOfPath(problem.extensions.field, names, options.aliases) : undefined;
      messages.push({ field, message: problem.message });
    }
  }
  return messages;
}

/** The form, with its error summary above it; the caller puts it on the page. */
export function editForm(options: FormOptions): HTMLElement {
  const fields = options.fields.map((f) => renderField(options.id, f));
  const summarySlot = h("div", { id: `${options.id}-summary-slot` });
  const button = h(
    "button",
    { type: "submit", class: `govuk-button${options.warning ? " govuk-button--warning" : ""}`, "data-module": "govuk-button", id: `${options.id}-submit` },
    options.submit,
  );
  const cancel = h("button", { type: "button", class: "govuk-button govuk-button--secondary", onclick: () => options.cancel() }, "Cancel");
  const titleWithoutError = () => document.title.replace(/^Error: /, "");

  function showErrors(messages: { field: string | undefined; message: string }[]): void {
    for (const f of fields) f.showError(null);
    document.title = messages.length ? `Error: ${titleWithoutError()}` : titleWithoutError();
    if (messages.length === 0) return summarySlot.replaceChildren();
    const byField = new Map<string, string[]>();
    for (const m of messages) if (m.field) byField.set(m.field, [...(byField.get(m.field) ?? []), m.message]);
    for (const f of fields) {
      const own = byField.get(f.field.name);
      if (own) f.showError(own.join(" "));
    }
    const items = messages.map((m) => {
      const target = fields.find((f) => f.field.name === m.field)?.target;
      return h("li", {}, target ? h("a", { href: `#${target}` }, m.message) : m.message);
    });
    const summary = h(
      "div",
      { class: "govuk-error-summary", "data-module": "govuk-error-summary", id: `${options.id}-error-summary` },
      h(
        "div",
        { role: "alert" },
        h("h2", { class: "govuk-error-summary__title" }, "There is a problem"),
        h("div", { class: "govuk-error-summary__body" }, h("ul", { class: "govuk-list govuk-error-summary__list" }, items)),
      ),
    );
    summarySlot.replaceChildren(summary);
    // GOV.UK Frontend's own behaviour: the summary takes focus, and its links focus the field (not the address's #fragment, which picks the view).
    new ErrorSummary(summary);
  }

  const form = h(
    "form",
    {
      id: options.id,
      novalidate: true,
      onsubmit: (event: Event) => {
        event.preventDefault();
        void submit();
      },
    },
    fields.map((f) => f.group),
    h("div", { class: "govuk-button-group" }, button, cancel),
  );

  async function submit(): Promise<void> {
    const values: Values = {};
    const problems: { field: string; message: string }[] = [];
    for (const f of fields) {
      const read = f.read();
      if ("error" in read) problems.push({ field: f.field.name, message: read.error });
      else values[f.field.name] = read.value;
    }
    if (problems.length) return showErrors(problems);
    button.disabled = true;
    try {
      await options.save(values);
      showErrors([]);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showErrors(error.problems.length ? messagesOf(error.problems, options) : [{ field: undefined, message: error.message }]);
    } finally {
      button.disabled = false;
    }
  }

  return h("div", {}, summarySlot, form);
}
