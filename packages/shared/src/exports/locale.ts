/** The organization locales (public.locale) and what exports take from them. */
export const exportLocales = ['sv', 'nb', 'da', 'fi', 'de', 'en'] as const;
export type ExportLocale = (typeof exportLocales)[number];

export interface LocaleFormat {
  /** CSV field delimiter: ';' where ',' is the decimal mark, so spreadsheets split columns right. */
  delimiter: string;
  decimalMark: string;
  /** Between thousands in printed reports (a no-break space for the Nordic languages). */
  groupSeparator: string;
}

const commaDecimal: LocaleFormat = { delimiter: ';', decimalMark: ',', groupSeparator: '\u00a0' };

export const localeFormats: Record<ExportLocale, LocaleFormat> = {
  sv: commaDecimal,
  nb: commaDecimal,
  da: { ...commaDecimal, groupSeparator: '.' },
  fi: commaDecimal,
  de: { ...commaDecimal, groupSeparator: '.' },
  en: { delimiter: ',', decimalMark: '.', groupSeparator: ',' },
};

export function localeFormat(locale: string): LocaleFormat {
  return localeFormats[(exportLocales as readonly string[]).includes(locale) ? (locale as ExportLocale) : 'en'];
}
