// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { ApiError, toProblem } from "../api/problem";
import { Field, FormMessage, ProblemMessage } from "./forms";

afterEach(cleanup);

describe("Field", () => {
  it("labels its input and ties the error to it for screen readers", () => {
    render(<Field label="E-mail address" name="email" error="Enter a valid e-mail address." hint="We never share it." />);
    const input = screen.getByLabelText("E-mail address");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    const described = (input.getAttribute("aria-describedby") ?? "").split(" ");
    const texts = described.map((id) => document.getElementById(id)?.textContent);
    expect(texts).toEqual(["Enter a valid e-mail address.", "We never share it."]);
  });

  it("is not marked invalid without an error", () => {
    render(<Field label="Password" name="password" />);
    expect(screen.getByLabelText("Password").hasAttribute("aria-invalid")).toBe(false);
  });
});

describe("FormMessage", () => {
  it("announces errors as alerts and successes as status", () => {
    render(
      <>
        <FormMessage message="Something went wrong." />
        <FormMessage tone="ok" message="Saved." />
      </>,
    );
    expect(screen.getByRole("alert").textContent).toBe("Something went wrong.");
    expect(screen.getByRole("status").textContent).toBe("Saved.");
  });
});

describe("ProblemMessage", () => {
  it("says a failed request's sentence as an alert, and nothing without an error", () => {
    const { rerender } = render(<ProblemMessage error={new ApiError(toProblem(401, { status: 401, code: "INVALID_CREDENTIALS" }))} />);
    expect(screen.getByRole("alert").textContent).toBe("The e-mail address or password is incorrect.");
    rerender(<ProblemMessage error={null} />);
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
