// The panel's stylesheet, adopted into the shadow root (a constructed CSSStyleSheet: allowed by
// a strict CSP, unlike <style> elements and style attributes). The host page cannot reach in;
// :host{all:initial!important} in the loader's sheet stops what it could pass down.
export const CSS = `
.p{position:fixed;bottom:88px;right:20px;z-index:2147483001;width:370px;height:min(600px,calc(100vh - 108px));
display:flex;flex-direction:column;background:#fff;color:#1d1d1f;border-radius:14px;
box-shadow:0 8px 32px #0005;overflow:hidden;text-align:left}
.left .p{right:auto;left:20px}
.p[hidden],[hidden]{display:none!important}
.hd{background:var(--a);color:#fff;padding:12px 14px;display:flex;align-items:center;gap:8px}
.hd div{flex:1;min-width:0}
.hd h2{margin:0;font-size:17px;font-weight:600;line-height:1.3}
.sub{margin:0;font-size:13px;opacity:.9}
button{font:inherit;cursor:pointer}
.x{background:none;border:0;color:inherit;font-size:24px;line-height:1;padding:4px 8px;border-radius:6px}
.x:focus-visible,.bt:focus-visible,.lk:focus-visible,.at:focus-within,input:focus-visible,textarea:focus-visible{
outline:3px solid var(--a);outline-offset:2px}
.hd .x:focus-visible{outline-color:#fff}
.rc{margin:0;background:#fff4ce;color:#5c4400;padding:6px 14px;font-size:13px}
.bd{flex:1;min-height:0;display:flex;flex-direction:column;overflow:auto}
.pad{padding:14px;display:flex;flex-direction:column;gap:10px}
.pad p{margin:0}
.f{display:flex;flex-direction:column;gap:4px;font-size:14px;font-weight:600}
input,textarea{font:inherit;font-weight:400;color:#1d1d1f;background:#fff;border:1px solid #8a8a8e;border-radius:8px;
padding:8px 10px;box-sizing:border-box;width:100%}
textarea{resize:none}
.bt{background:var(--a);color:#fff;border:0;border-radius:8px;padding:9px 14px;font-weight:600}
.bt.s{background:#fff;color:#1d1d1f;border:1px solid #8a8a8e}
.lk{color:#1d1d1f;font-weight:600}
.er{color:#b00020;margin:0}
.st{margin:0;padding:8px 14px;background:#f0f3fa;font-size:13px}
.st:empty{display:none}
.sc{flex:1;overflow:auto;padding:12px 14px;display:flex;flex-direction:column;gap:6px}
.log{display:flex;flex-direction:column;gap:6px}
.m{max-width:80%;padding:8px 11px;border-radius:14px;background:#eef0f4;align-self:flex-start;
white-space:pre-wrap;overflow-wrap:anywhere}
.m::before{content:attr(data-who);display:block;font-size:12px;font-weight:600;color:#4a4a50}
.m.me{align-self:flex-end;background:var(--a);color:#fff}
.m.me::before{content:none}
.m.sy{align-self:center;background:none;font-size:12px;color:#4a4a50;padding:2px}
.m.sy::before{content:none}
.m img{display:block;max-width:100%;max-height:180px;border-radius:8px;margin-top:4px}
.m a{color:inherit}
.ot{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:6px}
.ot li{align-self:flex-end;max-width:80%;padding:8px 11px;border-radius:14px;background:#dde3f3;
white-space:pre-wrap;overflow-wrap:anywhere}
.ot small{display:block;font-size:12px;color:#5c4400}
.ty{margin:0;font-size:12px;color:#4a4a50;min-height:16px}
.cm{display:flex;gap:6px;align-items:flex-end;padding:10px;border-top:1px solid #d8d8dc}
.cm textarea{flex:1;max-height:120px}
.at{position:relative;display:flex;align-items:center;justify-content:center;width:38px;height:38px;
border-radius:8px;border:1px solid #8a8a8e;color:#1d1d1f;cursor:pointer;flex:none}
.at input{position:absolute;inset:0;opacity:0;cursor:pointer;width:100%;padding:0}
.at svg,.hd svg{width:20px;height:20px;fill:currentColor}
.ft{display:flex;justify-content:flex-end;padding:0 10px 10px}
.rg{display:flex;gap:6px;border:0;padding:0;margin:0}
.rg label{display:flex;align-items:center;gap:3px;font-weight:400}
.rg input{width:auto}
.ed{border-top:1px solid #d8d8dc;margin-top:8px}
.ed .pad{padding:10px 0}
.row{display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.hs{margin:0;padding-left:18px;font-size:13px}
@media (max-width:480px){.p{inset:0;width:auto;height:auto;border-radius:0}}
@media (prefers-reduced-motion:no-preference){.p{transition:opacity .15s}}
`;
