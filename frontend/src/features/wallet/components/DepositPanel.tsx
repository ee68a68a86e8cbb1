import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";
import { useApi } from "../../../lib/auth/context";
import { formatAmount, isPositiveDecimal } from "../../../lib/format";
import { useI18n } from "../../../lib/i18nContext";
import { Field, FormMessage, useFormErrors } from "../../../lib/ui/forms";
import { walletApi } from "../api/wallet";

/** AED deposit by bank transfer: the request gives the bank details and a reference. */
export function DepositPanel() {
  const api = useApi();
  const { t } = useI18n();
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
      <h2 id="deposit-title">{t("wallet.deposit.title")}</h2>
      <form onSubmit={submit} noValidate>
        <Field
          label={t("wallet.deposit.amount")}
          name="amount"
          inputMode="decimal"
          placeholder="1000.00"
          value={amount}
          onChange={(e) => {
            setAmount(e.target.value);
            setInvalid(false);
          }}
          error={invalid ? t("wallet.deposit.invalid") : errors.fieldErrors.amount}
        />
        <FormMessage message={errors.message} />
        <button type="submit" className="button button--primary" disabled={deposit.isPending}>
          {t("wallet.deposit.submit")}
        </button>
      </form>
      {deposit.data ? (
        <div className="bank" role="status" data-testid="deposit-instructions">
          <p>{t("wallet.deposit.instructions", { amount: formatAmount(deposit.data.amount) })}</p>
          {bank ? (
            <dl>
              <dt>{t("wallet.deposit.bank")}</dt>
              <dd>{bank.bankName}</dd>
              <dt>{t("wallet.deposit.accountName")}</dt>
              <dd>{bank.accountName}</dd>
              <dt>{t("wallet.deposit.iban")}</dt>
              <dd>
                <code>{bank.iban}</code>
              </dd>
              <dt>{t("wallet.deposit.swift")}</dt>
              <dd>
                <code>{bank.swift}</code>
              </dd>
            </dl>
          ) : null}
          <p>
            {t("wallet.deposit.reference")} <code data-testid="deposit-reference">{deposit.data.reference}</code>
          </p>
        </div>
      ) : null}
    </section>
  );
}
