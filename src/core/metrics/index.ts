export * from './constants.ts';
export * from './subsidy.ts';
export * from './hashprice.ts';
