import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";
import { useApi } from "../../../lib/auth/context";
import { isPositiveDecimal } from "../../../lib/format";
import { useI18n } from "../../../lib/i18nContext";
import { Field, FormMessage, useFormErrors } from "../../../lib/ui/forms";
import { walletApi, type Direction } from "../api/wallet";

/** Funding ↔ spot: money moves by a saga, so the result is "pending" until both sides agree. */
export function TransferPanel({ assets }: { assets: string[] }) {
  const api = useApi();
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [direction, setDirection] = useState<Direction>("toSpot");
  const [asset, setAsset] = useState("AED");
  const [amount, setAmount] = useState("");
  const [invalid, setInvalid] = useState(false);
  const errors = useFormErrors(["amount", "asset"]);
  const transfer = useMutation({
    mutationFn: () => walletApi.transfer(api, direction, asset, amount.trim()),
    onSuccess: () => {
      setAmount("");
      // the other side answers through the bus: look again shortly
      void queryClient.invalidateQueries({ queryKey: ["wallet"] });
      window.setTimeout(() => void queryClient.invalidateQueries({ queryKey: ["wallet"] }), 1500);
    },
    onError: (error) => errors.show(error),
  });
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    errors.clear();
    transfer.reset();
    if (!isPositiveDecimal(amount, 18)) {
      setInvalid(true);
      return;
    }
    transfer.mutate();
  };
  const options = assets.includes("AED") ? assets : ["AED", ...assets];
  return (
    <section className="card" aria-labelledby="transfer-title">
      <h2 id="transfer-title">{t("wallet.transfer.title")}</h2>
      <form onSubmit={submit} noValidate>
        <fieldset className="field">
          <legend>{t("wallet.transfer.direction")}</legend>
          <label className="check">
            <input type="radio" name="direction" checked={direction === "toSpot"} onChange={() => setDirection("toSpot")} />{" "}
            {t("wallet.transfer.toSpot")}
          </label>
          <label className="check">
            <input
              type="radio"
              name="direction"
              checked={direction === "toFunding"}
              onChange={() => setDirection("toFunding")}
            />{" "}
            {t("wallet.transfer.toFunding")}
          </label>
        </fieldset>
        <div className="field">
          <label htmlFor="transfer-asset">{t("wallet.transfer.asset")}</label>
          <select id="transfer-asset" value={asset} onChange={(e) => setAsset(e.target.value)}>
            {options.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </div>
        <Field
          label={t("wallet.transfer.amount")}
          name="amount"
          inputMode="decimal"
          value={amount}
          onChange={(e) => {
            setAmount(e.target.value);
            setInvalid(false);
          }}
          error={invalid ? t("wallet.transfer.invalid") : errors.fieldErrors.amount}
        />
        <FormMessage message={errors.message} />
        <FormMessage
          tone="ok"
          message={transfer.isSuccess ? t("wallet.transfer.requested") : null}
        />
        <button type="submit" className="button button--primary" disabled={transfer.isPending}>
          {t("wallet.transfer.submit")}
        </button>
      </form>
    </section>
  );
}
