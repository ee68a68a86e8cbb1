import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";
import { Link } from "react-router";
import { ApiError, onField } from "../../../lib/api/problem";
import { useApi } from "../../../lib/auth/context";
import { formatAmount, isPositiveDecimal } from "../../../lib/format";
import { useI18n } from "../../../lib/i18nContext";
import { Field, FormMessage, useFormErrors } from "../../../lib/ui/forms";
import { statusLabel } from "../hooks/labels";
import { walletApi } from "../api/wallet";
import { CHAINS } from "../hooks/chains";
import { WithdrawLimits } from "./WithdrawLimits";

type Destination = "bank" | "crypto";

/**
 * A withdrawal to a bank account (AED, by IBAN) or to a crypto address, within the
 * limits of the user's KYC level and with a 2FA code.
 */
export function WithdrawPanel() {
  const api = useApi();
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [destination, setDestination] = useState<Destination>("bank");
  const [chainIndex, setChainIndex] = useState(0);
  const [amount, setAmount] = useState("");
  const [iban, setIban] = useState("");
  const [beneficiaryName, setBeneficiaryName] = useState("");
  const [address, setAddress] = useState("");
  const [totpCode, setTotpCode] = useState("");
  const [invalid, setInvalid] = useState(false);
  const errors = useFormErrors(["amount", "iban", "beneficiaryName", "address", "totpCode"]);
  const chain = CHAINS[chainIndex] ?? CHAINS[0];
  const asset = destination === "bank" ? "AED" : chain.asset;
  const withdraw = useMutation({
    mutationFn: () =>
      destination === "bank"
        ? walletApi.withdrawFiat(api, {
            amount: amount.trim(),
            iban: iban.replace(/\s+/g, "").toUpperCase(),
            beneficiaryName: beneficiaryName.trim(),
            totpCode: totpCode.trim(),
          })
        : walletApi.withdrawCrypto(api, {
            asset: chain.asset,
            network: chain.network,
            address: address.trim(),
            amount: amount.trim(),
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
    if (!isPositiveDecimal(amount, destination === "bank" ? 2 : 18)) {
      setInvalid(true);
      return;
    }
    withdraw.mutate();
  };
  return (
    <section className="card" aria-labelledby="withdraw-title">
      <h2 id="withdraw-title">{t("wallet.withdraw.title")}</h2>
      <fieldset className="field">
        <legend>{t("wallet.withdraw.to")}</legend>
        <label className="check">
          <input type="radio" name="destination" checked={destination === "bank"} onChange={() => setDestination("bank")} />{" "}
          {t("wallet.withdraw.toBank")}
        </label>
        <label className="check">
          <input
            type="radio"
            name="destination"
            checked={destination === "crypto"}
            onChange={() => setDestination("crypto")}
          />{" "}
          {t("wallet.withdraw.toCrypto")}
        </label>
      </fieldset>
      <WithdrawLimits asset={asset} />
      <p className="muted">
        {t("wallet.withdraw.needs2fa")} <Link to="/settings/2fa">{t("wallet.withdraw.2faLink")}</Link>.{" "}
        {destination === "bank" ? t("wallet.withdraw.bankFee") : t("wallet.withdraw.networkFee")}
      </p>
      <form onSubmit={submit} noValidate>
        {destination === "crypto" ? (
          <div className="field">
            <label htmlFor="withdraw-chain">{t("wallet.withdraw.chain")}</label>
            <select id="withdraw-chain" value={chainIndex} onChange={(e) => setChainIndex(Number(e.target.value))}>
              {CHAINS.map((c, i) => (
                <option key={`${c.asset}-${c.network}`} value={i}>
                  {t("wallet.crypto.on", { asset: c.asset, network: c.network })}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <Field
          label={t("wallet.withdraw.amount", { asset })}
          name="amount"
          inputMode="decimal"
          value={amount}
          onChange={(e) => {
            setAmount(e.target.value);
            setInvalid(false);
          }}
          error={
            invalid
              ? t(destination === "bank" ? "wallet.withdraw.invalidBank" : "wallet.withdraw.invalid")
              : errors.fieldErrors.amount
          }
        />
        {destination === "bank" ? (
          <>
            <Field
              key="iban"
              label={t("wallet.withdraw.iban")}
              name="iban"
              autoComplete="off"
              value={iban}
              onChange={(e) => setIban(e.target.value)}
              error={errors.fieldErrors.iban}
            />
            <Field
              key="beneficiaryName"
              label={t("wallet.withdraw.beneficiary")}
              name="beneficiaryName"
              autoComplete="name"
              value={beneficiaryName}
              onChange={(e) => setBeneficiaryName(e.target.value)}
              error={errors.fieldErrors.beneficiaryName}
            />
          </>
        ) : (
          <Field
            key="address"
            label={t("wallet.withdraw.address", { network: chain.network })}
            name="address"
            autoComplete="off"
            spellCheck={false}
            value={address}
            onChange={(e) => setAddress(e.target.value)}
            error={errors.fieldErrors.address}
          />
        )}
        <Field
          label={t("wallet.withdraw.code")}
          name="totpCode"
          inputMode="numeric"
          autoComplete="one-time-code"
          value={totpCode}
          onChange={(e) => setTotpCode(e.target.value)}
          error={errors.fieldErrors.totpCode}
        />
        {needs2fa ? (
          <p role="alert" className="form-message form-message--error">
            {t("wallet.withdraw.turnOn2fa")} <Link to="/settings/2fa">{t("wallet.withdraw.setUp")}</Link>.
          </p>
        ) : (
          <FormMessage message={errors.message} />
        )}
        <FormMessage
          tone="ok"
          message={
            withdraw.data
              ? t("wallet.withdraw.requested", {
                  amount: formatAmount(withdraw.data.amount, 2, 18),
                  asset: withdraw.data.asset,
                  status: statusLabel(t, withdraw.data.status),
                })
              : null
          }
        />
        <button type="submit" className="button button--primary" disabled={withdraw.isPending}>
          {t("wallet.withdraw.submit")}
        </button>
      </form>
    </section>
  );
}
