import { describe } from "./api";
import { say } from "./dom";

/** A form's submit handler: the button waits while `action` runs, and what went wrong is said in `problem`. */
export function submitting(submit: HTMLButtonElement, problem: HTMLElement, action: () => Promise<void>): (e: Event) => Promise<void> {
  return async (e: Event) => {
    e.preventDefault();
    submit.disabled = true;
    say(problem, null);
    try {
      await action();
    } catch (error) {
      say(problem, describe(error));
    } finally {
      submit.disabled = false;
    }
  };
}
