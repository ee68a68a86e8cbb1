/**
 * Candles and volume (TradingView lightweight-charts), loaded as its own chunk: REST
 * `/klines` for the history, then the `<sym>@kline_<i>` stream updates the live candle.
 * Chart coordinates are numbers: display only, never used for amounts.
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
import { streamName } from "../../../lib/socket";
import { useStreams } from "../../../lib/useStreams";
import { tradeApi, type Candle, type Interval } from "../api/trade";

const UP = "#1f9d55";
const DOWN = "#d64545";

interface KlineMessage {
  k?: { t: number; o: string; h: string; l: string; c: string; v: string };
}

function toBar(c: Candle) {
  return { time: c.time as UTCTimestamp, open: c.open, high: c.high, low: c.low, close: c.close };
}

function toVolume(c: Candle) {
  return { time: c.time as UTCTimestamp, value: c.volume, color: c.close >= c.open ? `${UP}80` : `${DOWN}80` };
}

function themeColors(el: HTMLElement) {
  const style = getComputedStyle(el);
  return { text: style.getPropertyValue("--muted").trim() || "#5b6170", grid: style.getPropertyValue("--border").trim() || "#d9dce3" };
}

export default function Chart({ symbol, interval }: { symbol: string; interval: Interval }) {
  const api = useApi();
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
    candles.current.setData(data.map(toBar));
    volume.current.setData(data.map(toVolume));
    lastTime.current = data[data.length - 1]?.time ?? 0;
    chart.current?.timeScale().scrollToRealTime();
  }, [history.data]);

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
    candles.current.update(toBar(candle));
    volume.current.update(toVolume(candle));
  });

  return (
    <div className="chart" data-testid="chart">
      <div ref={box} className="chart__canvas" role="img" aria-label={`${symbol} candlestick chart, ${interval} candles`} />
      {history.data?.length === 0 ? <p className="chart__empty">No trades yet in this market.</p> : null}
      <a className="chart__attribution" href="https://www.tradingview.com/" target="_blank" rel="noreferrer">
        Charts by TradingView
      </a>
    </div>
  );
}
