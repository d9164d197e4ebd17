import QRCode from 'qrcode';

/**
 * The enrolment QR code as an SVG string (inline in the page; no image file to cache or leak). Error correction M
 * (15 %) survives a photographed screen; the 4-module quiet zone is what the QR specification requires.
 * The SVG encodes the secret: send it with `Cache-Control: no-store` and never log it.
 */
export async function totpQrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
}
