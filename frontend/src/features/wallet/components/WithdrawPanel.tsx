import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";
import { Link } from "react-router";
import { ApiError, onField } from "../../../lib/api/problem";
import { useApi } from "../../../lib/auth/context";
import { formatAmount, isPositiveDecimal } from "../../../lib/format";
import { Field, FormMessage, useFormErrors } from "../../../lib/ui/forms";
import { walletApi } from "../api/wallet";

/** AED to a bank account by IBAN, with the limits of the user's KYC level and a 2FA code. */
export function WithdrawPanel() {
  const api = useApi();
  const queryClient = useQueryClient();
  const [amount, setAmount] = useState("");
  const [iban, setIban] = useState("");
  const [beneficiaryName, setBeneficiaryName] = useState("");
  const [totpCode, setTotpCode] = useState("");
  const [invalid, setInvalid] = useState(false);
  const errors = useFormErrors(["amount", "iban", "beneficiaryName", "totpCode"]);
  const limits = useQuery({ queryKey: ["wallet", "limits"], queryFn: () => walletApi.limits(api) });
  const aed = limits.data?.find((l) => l.asset === "AED");
  const withdraw = useMutation({
    mutationFn: () =>
      walletApi.withdrawFiat(api, {
        amount: amount.trim(),
        iban: iban.replace(/\s+/g, "").toUpperCase(),
        beneficiaryName: beneficiaryName.trim(),
        totpCode: totpCode.trim(),
      }),
    onSuccess: () => {
      setAmount("");
      setTotpCode("");
      return queryClient.invalidateQueries({ queryKey: ["wallet"] });
    },
    onError: (error) => errors.show(onField(error, "totpCode", "TOTP_")),
  });
  const needs2fa = withdraw.error instanceof ApiError && withdraw.error.code === "TOTP_NOT_ENABLED";
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    errors.clear();
    withdraw.reset();
    if (!isPositiveDecimal(amount, 2)) {
      setInvalid(true);
      return;
    }
    withdraw.mutate();
  };
  return (
    <section className="card" aria-labelledby="withdraw-title">
      <h2 id="withdraw-title">Withdraw AED</h2>
      {aed ? (
        <p className="muted" data-testid="withdraw-limits">
          KYC level {aed.level}: today {formatAmount(aed.dailyUsed)} of {formatAmount(aed.daily)} AED, this month{" "}
          {formatAmount(aed.monthlyUsed)} of {formatAmount(aed.monthly)} AED.
          {/[1-9]/.test(aed.daily) ? null : " Complete your profile (KYC level 1) to withdraw."}
        </p>
      ) : null}
      <p className="muted">
        Withdrawals need <Link to="/settings/2fa">two-factor authentication</Link>. Fee: 5 AED.
      </p>
      <form onSubmit={submit} noValidate>
        <Field
          label="Amount (AED)"
          name="amount"
          inputMode="decimal"
          value={amount}
          onChange={(e) => {
            setAmount(e.target.value);
            setInvalid(false);
          }}
          error={invalid ? "Enter an amount above zero with at most 2 decimals." : errors.fieldErrors.amount}
        />
        <Field
          label="IBAN"
          name="iban"
          autoComplete="off"
          value={iban}
          onChange={(e) => setIban(e.target.value)}
          error={errors.fieldErrors.iban}
        />
        <Field
          label="Beneficiary name"
          name="beneficiaryName"
          autoComplete="name"
          value={beneficiaryName}
          onChange={(e) => setBeneficiaryName(e.target.value)}
          error={errors.fieldErrors.beneficiaryName}
        />
        <Field
          label="2FA code"
          name="totpCode"
          inputMode="numeric"
          autoComplete="one-time-code"
          value={totpCode}
          onChange={(e) => setTotpCode(e.target.value)}
          error={errors.fieldErrors.totpCode}
        />
        {needs2fa ? (
          <p role="alert" className="form-message form-message--error">
            Turn on two-factor authentication first: <Link to="/settings/2fa">set it up</Link>.
          </p>
        ) : (
          <FormMessage message={errors.message} />
        )}
        <FormMessage
          tone="ok"
          message={
            withdraw.data
              ? `Withdrawal of ${formatAmount(withdraw.data.amount)} AED requested: ${withdraw.data.status
                  .replace(/_/g, " ")
                  .toLowerCase()}.`
              : null
          }
        />
        <button type="submit" className="button button--primary" disabled={withdraw.isPending}>
          Withdraw
        </button>
      </form>
    </section>
  );
}
