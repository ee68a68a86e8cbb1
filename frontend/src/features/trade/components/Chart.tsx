/**
 * Candles and volume (TradingView lightweight-charts), loaded as its own chunk: REST
 * `/klines` for the history, then the `<sym>@kline_<i>` stream updates the live candle.
 * Chart coordinates are numbers: display only, never used for amounts.
 *
 * The library draws its time axis in UTC: each bar's time is shifted by the user's zone
 * offset at that instant (the library's documented way to show another zone), so the axis
 * and the crosshair read the user's wall-clock time.
 */
import {
  CandlestickSeries,
  ColorType,
  createChart,
  HistogramSeries,
  type IChartApi,
  type ISeriesApi,
  type UTCTimestamp,
} from "lightweight-charts";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useApi } from "../../../lib/auth/context";
import { zoneOffsetSeconds } from "../../../lib/format";
import { useI18n } from "../../../lib/i18nContext";
import { streamName } from "../../../lib/socket";
import { useStreams } from "../../../lib/useStreams";
import { tradeApi, type Candle, type Interval } from "../api/trade";

const UP = "#1f9d55";
const DOWN = "#d64545";

interface KlineMessage {
  k?: { t: number; o: string; h: string; l: string; c: string; v: string };
}

/** A bar's time as the chart shows it: the UTC seconds moved to the zone's wall clock. */
function shown(time: number, zone: string | undefined): UTCTimestamp {
  return (time + zoneOffsetSeconds(zone, time)) as UTCTimestamp;
}

function toBar(c: Candle, zone: string | undefined) {
  return { time: shown(c.time, zone), open: c.open, high: c.high, low: c.low, close: c.close };
}

function toVolume(c: Candle, zone: string | undefined) {
  return { time: shown(c.time, zone), value: c.volume, color: c.close >= c.open ? `${UP}80` : `${DOWN}80` };
}

function themeColors(el: HTMLElement) {
  const style = getComputedStyle(el);
  return { text: style.getPropertyValue("--muted").trim() || "#5b6170", grid: style.getPropertyValue("--border").trim() || "#d9dce3" };
}

export default function Chart({ symbol, label, interval }: { symbol: string; label: string; interval: Interval }) {
  const api = useApi();
  const { t, timeZone } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const candles = useRef<ISeriesApi<"Candlestick"> | null>(null);
  const volume = useRef<ISeriesApi<"Histogram"> | null>(null);
  const lastTime = useRef(0);
  const history = useQuery({
    queryKey: ["trade", "public", symbol, "klines", interval],
    queryFn: () => tradeApi.klines(api, symbol, interval),
    staleTime: 30_000,
  });

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const colors = themeColors(el);
    const made = createChart(el, {
      autoSize: true,
      // the library's own logo injects a <style> the gateway's CSP (style-src 'self')
      // refuses: the attribution its licence asks for is the link below the chart
      layout: { background: { type: ColorType.Solid, color: "transparent" }, textColor: colors.text, attributionLogo: false },
      grid: { vertLines: { color: colors.grid }, horzLines: { color: colors.grid } },
      timeScale: { timeVisible: true, secondsVisible: false },
      rightPriceScale: { scaleMargins: { top: 0.1, bottom: 0.25 } },
    });
    candles.current = made.addSeries(CandlestickSeries, {
      upColor: UP,
      downColor: DOWN,
      borderVisible: false,
      wickUpColor: UP,
      wickDownColor: DOWN,
    });
    volume.current = made.addSeries(HistogramSeries, { priceScaleId: "volume", priceFormat: { type: "volume" } });
    made.priceScale("volume").applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    chart.current = made;
    return () => {
      made.remove();
      chart.current = null;
      candles.current = null;
      volume.current = null;
    };
  }, []);

  useEffect(() => {
    const data = history.data;
    if (!data || !candles.current || !volume.current) return;
    candles.current.setData(data.map((c) => toBar(c, timeZone)));
    volume.current.setData(data.map((c) => toVolume(c, timeZone)));
    lastTime.current = data[data.length - 1]?.time ?? 0;
    chart.current?.timeScale().scrollToRealTime();
  }, [history.data, timeZone]);

  useStreams([streamName(symbol, `kline_${interval}`)], (_stream, data) => {
    const k = (data as KlineMessage | null)?.k;
    if (!k || !candles.current || !volume.current || !history.data) return;
    const candle: Candle = {
      time: Math.floor(k.t / 1000),
      open: Number(k.o),
      high: Number(k.h),
      low: Number(k.l),
      close: Number(k.c),
      volume: Number(k.v),
    };
    if (candle.time < lastTime.current) return; // the chart only takes the newest bar
    lastTime.current = candle.time;
    candles.current.update(toBar(candle, timeZone));
    volume.current.update(toVolume(candle, timeZone));
  });

  return (
    <div className="chart" data-testid="chart">
      <div
        ref={box}
        className="chart__canvas"
        role="img"
        aria-label={t("trade.chart.label", { market: label, interval })}
        data-time-zone={timeZone ?? ""}
      />
      {history.data?.length === 0 ? <p className="chart__empty">{t("trade.chart.empty")}</p> : null}
      <a className="chart__attribution" href="https://www.tradingview.com/" target="_blank" rel="noreferrer">
        {t("trade.chart.attribution")}
      </a>
    </div>
  );
}
