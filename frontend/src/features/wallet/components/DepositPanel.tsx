import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";
import { useApi } from "../../../lib/auth/context";
import { formatAmount, isPositiveDecimal } from "../../../lib/format";
import { Field, FormMessage, useFormErrors } from "../../../lib/ui/forms";
import { walletApi } from "../api/wallet";

/** AED deposit by bank transfer: the request gives the bank details and a reference. */
export function DepositPanel() {
  const api = useApi();
  const queryClient = useQueryClient();
  const [amount, setAmount] = useState("");
  const [invalid, setInvalid] = useState(false);
  const errors = useFormErrors(["amount"]);
  const deposit = useMutation({
    mutationFn: () => walletApi.requestDeposit(api, amount.trim()),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["wallet"] }),
    onError: (error) => errors.show(error),
  });
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    errors.clear();
    if (!isPositiveDecimal(amount, 2)) {
      setInvalid(true);
      return;
    }
    deposit.mutate();
  };
  const bank = deposit.data?.bank;
  return (
    <section className="card" aria-labelledby="deposit-title">
      <h2 id="deposit-title">Deposit AED</h2>
      <form onSubmit={submit} noValidate>
        <Field
          label="Amount (AED)"
          name="amount"
          inputMode="decimal"
          placeholder="1000.00"
          value={amount}
          onChange={(e) => {
            setAmount(e.target.value);
            setInvalid(false);
          }}
          error={invalid ? "Enter an amount above zero with at most 2 decimals, like 1000.50." : errors.fieldErrors.amount}
        />
        <FormMessage message={errors.message} />
        <button type="submit" className="button button--primary" disabled={deposit.isPending}>
          Get bank details
        </button>
      </form>
      {deposit.data ? (
        <div className="bank" role="status" data-testid="deposit-instructions">
          <p>
            Transfer <strong>{formatAmount(deposit.data.amount)} AED</strong> to the account below and quote the
            reference, so we can match your payment. It is credited once our team sees it.
          </p>
          {bank ? (
            <dl>
              <dt>Bank</dt>
              <dd>{bank.bankName}</dd>
              <dt>Account name</dt>
              <dd>{bank.accountName}</dd>
              <dt>IBAN</dt>
              <dd>
                <code>{bank.iban}</code>
              </dd>
              <dt>SWIFT</dt>
              <dd>
                <code>{bank.swift}</code>
              </dd>
            </dl>
          ) : null}
          <p>
            Reference: <code data-testid="deposit-reference">{deposit.data.reference}</code>
          </p>
        </div>
      ) : null}
    </section>
  );
}
