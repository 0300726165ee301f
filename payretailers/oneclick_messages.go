package payretailers

import "github.com/pasarela/pasarela/checkout"

// oneClickMessages are the strings of the OneClick enrollment pages
// (oneclick_*.html). The card fields reuse the card form's strings
// (payretailers.card.*), so both forms read the same.
var oneClickMessages = checkout.Catalog{
	"payretailers.oneclick.title": {
		ES: "Registra tu tarjeta",
		EN: "Save your card",
		PT: "Cadastre seu cartão",
	},
	"payretailers.oneclick.lead": {
		ES: "Guardamos tu tarjeta para que tus próximas compras en esta tienda sean con un clic. La verificamos sin cobrarte nada y nunca guardamos el código de seguridad.",
		EN: "We keep your card so your next purchases at this store take one click. We verify it without charging you and never store the security code.",
		PT: "Guardamos seu cartão para que suas próximas compras nesta loja sejam com um clique. Nós o verificamos sem cobrar nada e nunca guardamos o código de segurança.",
	},
	"payretailers.oneclick.save": {
		ES: "Registrar tarjeta",
		EN: "Save card",
		PT: "Cadastrar cartão",
	},
	"payretailers.oneclick.other_card": {
		ES: "No registramos la tarjeta y no se hizo ningún cargo. Prueba con otra tarjeta.",
		EN: "The card was not saved and nothing was charged. Try another card.",
		PT: "O cartão não foi cadastrado e nada foi cobrado. Tente outro cartão.",
	},
	"payretailers.oneclick.done.title": {
		ES: "Tarjeta registrada",
		EN: "Card saved",
		PT: "Cartão cadastrado",
	},
	"payretailers.oneclick.done.body": {
		ES: "Tu tarjeta quedó registrada. Vuelve a la tienda para terminar.",
		EN: "Your card is saved. Return to the store to finish.",
		PT: "Seu cartão foi cadastrado. Volte à loja para concluir.",
	},
	"payretailers.oneclick.expired.title": {
		ES: "El registro expiró",
		EN: "This card registration has expired",
		PT: "O cadastro expirou",
	},
	"payretailers.oneclick.expired.body": {
		ES: "No se guardó ninguna tarjeta. Vuelve a la tienda para empezar de nuevo.",
		EN: "No card was saved. Return to the store to start again.",
		PT: "Nenhum cartão foi cadastrado. Volte à loja para começar de novo.",
	},
	"payretailers.oneclick.locked.title": {
		ES: "Demasiados intentos",
		EN: "Too many attempts",
		PT: "Tentativas demais",
	},
	"payretailers.oneclick.locked.body": {
		ES: "Por seguridad, este registro ya no acepta tarjetas. No se guardó ninguna tarjeta ni se hizo ningún cargo. Vuelve a la tienda para empezar de nuevo.",
		EN: "For your security, this registration takes no more cards. No card was saved and nothing was charged. Return to the store to start again.",
		PT: "Por segurança, este cadastro não aceita mais cartões. Nenhum cartão foi cadastrado e nada foi cobrado. Volte à loja para começar de novo.",
	},
	"payretailers.oneclick.sandbox.lead": {
		ES: "Usa cualquier vencimiento futuro y cualquier código. «Sin fondos» se registra, pero sus cobros se rechazan.",
		EN: "Use any future expiry date and any security code. “No funds” is saved, but its charges are declined.",
		PT: "Use qualquer validade futura e qualquer código. “Sem saldo” é cadastrado, mas suas cobranças são recusadas.",
	},
}
